// Map encoding q8_tril_zlib (core/store/quantized_maps.h, docs/run-format.md): the stated error bound holds
// on adversarial rows; NaN, ±inf, zeros and each row's extremes beyond 0 come back exactly; one map decodes
// alone; damaged blocks fail with a sentence; a run written with map_precision q8 reads back through
// RunReader, with and without its maps.
#include "core/store/quantized_maps.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"

#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace attnscope;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Maps whose rows each break a naive quantiser in another way.
std::vector<float> adversarialMaps(int T, std::size_t& count) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::normal_distribution<float> n(0.0f, 1.0f);
    count = 10;
    std::vector<float> m(count * T * T, 0.0f);
    auto at = [&](std::size_t map, int q, int k) -> float& { return m[(map * T + q) * T + k]; };
    for (int q = 0; q < T; ++q)
        for (int k = 0; k <= q; ++k) {
            at(0, q, k) = std::pow(u(rng), 12.0f);         // far below the row max
            at(1, q, k) = n(rng) * 1e30f;                  // huge, both signs
            at(2, q, k) = (n(rng) > 0 ? 1 : -1) * 3.4e38f; // the whole float range
            at(3, q, k) = 0.7f;                            // constant
            at(4, q, k) = u(rng) * 1e-42f;                 // subnormals
            at(5, q, k) =
                float((q * T + k) % 253) / 252.0f + (q % 2 ? 0.5f / 252.0f : 0.0f); // on / between codes
            at(6, q, k) = u(rng) < 0.2f ? kNaN : 3 * n(rng);                        // masked logits
            at(7, q, k) = kNaN;                                                     // no finite value
            at(8, q, k) = k == 0 ? 1e6f : n(rng);                                   // one outlier (sink)
            at(9, q, k) = 1.0f + u(rng) * 1e-6f;                                    // a few ulp of range
        }
    at(6, 9, 0) = kInf, at(6, 9, 1) = -kInf, at(6, 9, 2) = kNaN;
    return m;
}

} // namespace

class TestMapEncoding : public QObject {
    Q_OBJECT
private slots:
    void boundHoldsOnAdversarialRows() {
        const int T = 40;
        std::size_t count = 0;
        const std::vector<float> maps = adversarialMaps(T, count);
        const quantizedmaps::PackedMaps packed(quantizedmaps::pack(maps, count, T), count, T, "test maps");
        for (std::size_t m = 0; m < count; ++m) {
            const std::vector<float> back = packed.map(m, -7.0f);
            for (int q = 0; q < T; ++q) {
                const float* row = maps.data() + (m * T + q) * T;
                const float* got = back.data() + std::size_t(q) * T;
                double lo = 0, hi = 0; // the stored range always includes 0
                for (int k = 0; k <= q; ++k)
                    if (std::isfinite(row[k]))
                        lo = std::min(lo, double(row[k])), hi = std::max(hi, double(row[k]));
                for (int k = 0; k <= q; ++k) {
                    if (!std::isfinite(row[k])) {
                        QVERIFY(std::isnan(row[k]) ? std::isnan(got[k]) : got[k] == row[k]);
                        continue;
                    }
                    const double err = std::abs(double(got[k]) - double(row[k]));
                    if (err > quantizedmaps::errorBound(lo, hi))
                        QFAIL(qPrintable(QString("map %1 row %2 key %3: error %4 > bound %5")
                                             .arg(m)
                                             .arg(q)
                                             .arg(k)
                                             .arg(err)
                                             .arg(quantizedmaps::errorBound(lo, hi))));
                    if (double(row[k]) == lo || double(row[k]) == hi || row[k] == 0)
                        QVERIFY(got[k] == row[k]);
                }
                for (int k = q + 1; k < T; ++k) QVERIFY(got[k] == -7.0f);
            }
        }
        QCOMPARE(packed.all(0.0f).size(), maps.size());
    }

    void damagedBlocksFailWithASentence() {
        std::size_t count = 0;
        const int T = 8;
        const std::vector<float> maps = adversarialMaps(T, count);
        std::vector<std::uint8_t> blob = quantizedmaps::pack(maps, count, T);
        auto fails = [&](std::vector<std::uint8_t> b, std::size_t n, int t, const char* words) {
            try {
                quantizedmaps::PackedMaps p(std::move(b), n, std::size_t(t), "x.attnrun attention");
                for (std::size_t m = 0; m < n; ++m) p.map(m, 0.0f);
            } catch (const Error& e) {
                if (!QString(e.what()).contains(words)) qWarning("%s", e.what());
                return QString(e.what()).contains(words);
            }
            return false;
        };
        QVERIFY(fails({blob.begin(), blob.end() - 1}, count, T, "damaged"));
        QVERIFY(fails(blob, count + 100000, T, "block table")); // a damaged count cannot read past the blob
        QVERIFY(fails(blob, count, T + 1, "damaged"));          // a damaged length inflates to the wrong size
        blob[blob.size() - 3] ^= 0xFF;
        QVERIFY(fails(blob, count, T, "damaged"));
    }

    void runWithQuantizedMapsReadsBack() {
        QTemporaryDir dir;
        const std::string file = (dir.path() + "/q8.attnrun").toStdString();
        ProbeSnapshot snap = test::makeSnapshot(10, 2, 3, 24, 4);
        snap.mapPrecision = MapPrecision::Quantized8;
        {
            RunWriter w = RunWriter::create(file, test::makeHeader());
            w.appendSnapshot(snap);
        }
        const RunReader reader(file);
        const SnapshotPtr full = reader.snapshot(10);
        QVERIFY(full->mapPrecision == MapPrecision::Quantized8);
        QCOMPARE(full->attention.size(), snap.attention.size());
        for (std::size_t i = 0; i < snap.attention.size(); ++i)
            QVERIFY(std::abs(full->attention[i] - snap.attention[i]) <= 1.0f / 504 + 1e-6f);
        const SnapshotPtr light = reader.snapshot(10, false);
        QVERIFY(light->mapsOmitted && light->attention.empty() && light->logits.empty());
        QVERIFY(light->entropy == snap.entropy && light->keyProfile == snap.keyProfile);
        QVERIFY(light->mapPrecision == MapPrecision::Quantized8);
    }
};

QTEST_GUILESS_MAIN(TestMapEncoding)
#include "tst_map_encoding.moc"
