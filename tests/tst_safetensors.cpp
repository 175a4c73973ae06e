// The safetensors reader/writer: round trips, byte-exact compatibility with the reference implementation,
// and rejection (attnscope::Error, never a crash) of every kind of malformed file.
#include "core/io/blob_codec.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace attnscope;

namespace {

using Bytes = std::vector<std::uint8_t>;

// 8-byte little-endian length + header text + buffer, built by hand as the format spec describes.
Bytes makeFile(const std::string& header, const Bytes& buffer, std::uint64_t claimedLength = UINT64_MAX) {
    const std::uint64_t n = claimedLength == UINT64_MAX ? header.size() : claimedLength;
    Bytes out(8 + header.size() + buffer.size());
    for (int i = 0; i < 8; ++i) out[i] = std::uint8_t(n >> (8 * i));
    std::copy(header.begin(), header.end(), out.begin() + 8);
    std::copy(buffer.begin(), buffer.end(), out.begin() + 8 + std::ptrdiff_t(header.size()));
    return out;
}

Bytes zeros(std::size_t n) {
    return Bytes(n, 0);
}

bool rejects(const Bytes& bytes) {
    try {
        SafeTensorsFile::parse(bytes);
    } catch (const Error&) {
        return true;
    }
    return false;
}

} // namespace

class TestSafeTensors : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsEveryDtypeShapeAndMetadata() {
        SafeTensorsFile file;
        file.metadata = {{"spec", R"({"name":"run"})"}, {"step", "500"}};
        const std::vector<float> weights{1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-30f};
        const std::vector<double> doubles{M_PI, -1e300};
        const std::vector<std::int32_t> ints{-7, 42, INT32_MIN};
        const std::int64_t scalar = -(std::int64_t(1) << 40);
        const std::vector<std::uint8_t> bytes{1, 2, 255};
        file.add("param/w", weights.data(), {2, 3});
        file.add("f64", doubles.data(), {2});
        file.add("i32", ints.data(), {3});
        file.add("scalar", &scalar, {});
        file.add("u8", bytes.data(), {3, 1});
        file.add("empty", weights.data(), {0, 4});
        file.addAsF16("half", weights.data(), {6});

        const Bytes image = file.serialize();
        std::uint64_t headerLength = 0;
        std::memcpy(&headerLength, image.data(), 8);
        QCOMPARE(headerLength % 8, 0u); // padded to 8 like the reference writer
        QCOMPARE(char(image[8]), '{');

        const SafeTensorsFile back = SafeTensorsFile::parse(image);
        QCOMPARE(back.metadata, file.metadata);
        QCOMPARE(back.tensors().size(), file.tensors().size());
        for (const SafeTensor& t : file.tensors()) {
            const SafeTensor& u = back.get(t.name);
            QCOMPARE(u.dtype, t.dtype);
            QCOMPARE(u.shape, t.shape);
            QCOMPARE(u.bytes, t.bytes);
        }
        QCOMPARE(back.get("param/w").toFloat32(), weights);
        QCOMPARE(back.get("scalar").elementCount(), std::int64_t(1));
        QCOMPARE(back.get("scalar").toInt64(), std::vector<std::int64_t>{scalar});
        QCOMPARE(back.get("i32").toInt64(), (std::vector<std::int64_t>{-7, 42, INT32_MIN}));
        QCOMPARE(back.get("half").toFloat32()[1], -2.25f);
        QCOMPARE(back.get("f64").toFloat32()[0], float(M_PI));
        QVERIFY(back.find("missing") == nullptr);
        QVERIFY_THROWS_EXCEPTION(Error, back.get("missing"));
    }

    void dataLayoutIsAlignedBySizeThenName() {
        SafeTensorsFile file;
        const std::uint8_t b[3] = {1, 2, 3};
        const std::int64_t l[1] = {9};
        const float f[1] = {1};
        file.add("a_u8", b, {3});
        file.add("z_i64", l, {1});
        file.add("m_f32", f, {1});
        const SafeTensorsFile back = SafeTensorsFile::parse(file.serialize());
        // Parsed tensors come in buffer order: 8-byte, then 4-byte, then 1-byte elements.
        QCOMPARE(back.tensors()[0].name, std::string("z_i64"));
        QCOMPARE(back.tensors()[1].name, std::string("m_f32"));
        QCOMPARE(back.tensors()[2].name, std::string("a_u8"));
    }

    void serializeMatchesReferenceBytes() {
        // The reference implementation's own test vector: a zero I32 [2,2] tensor named "test".
        SafeTensorsFile file;
        const std::int32_t data[4] = {0, 0, 0, 0};
        file.add("test", data, {2, 2});
        const std::string header = R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})";
        QCOMPARE(header.size(), 60u);
        const Bytes expected = makeFile(header + "    ", zeros(16)); // padded to 64
        QCOMPARE(file.serialize(), expected);
    }

    void parsesHandBuiltSpecFiles() {
        // Unpadded header (older writers), as in the reference test suite.
        const Bytes unpadded = makeFile(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})",
                                        {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0});
        const SafeTensorsFile a = SafeTensorsFile::parse(unpadded);
        QCOMPARE(a.get("test").toInt64(), (std::vector<std::int64_t>{1, 2, 3, 4}));
        QCOMPARE(a.get("test").shape, (std::vector<std::int64_t>{2, 2}));

        // Metadata and trailing-space padding.
        const Bytes withMetadata = makeFile(
            R"({"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})"
            "       ",
            zeros(16));
        const SafeTensorsFile b = SafeTensorsFile::parse(withMetadata);
        QCOMPARE(b.metadata.at("framework"), std::string("pt"));
        QCOMPARE(b.get("test1").bytes, zeros(16));

        // Tensors listed out of offset order, F16 and BF16 data, a 0-d scalar and an empty tensor.
        Bytes buffer{0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F}; // F16 1.0, -2.0; BF16 1.0
        const Bytes scalarBytes{0x00, 0x00, 0x20, 0x41};  // F32 10.0
        buffer.insert(buffer.end(), scalarBytes.begin(), scalarBytes.end());
        const SafeTensorsFile c =
            SafeTensorsFile::parse(makeFile(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[6,10]},)"
                                            R"("e":{"dtype":"F32","shape":[0],"data_offsets":[10,10]},)"
                                            R"("bf":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},)"
                                            R"("h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})",
                                            buffer));
        QCOMPARE(c.get("h").toFloat32(), (std::vector<float>{1.0f, -2.0f}));
        QCOMPARE(c.get("bf").toFloat32(), std::vector<float>{1.0f});
        QCOMPARE(c.get("s").toFloat32(), std::vector<float>{10.0f});
        QCOMPARE(c.get("e").elementCount(), std::int64_t(0));
    }

    void rejectsMalformedFiles_data() {
        QTest::addColumn<QByteArray>("bytes");
        const auto add = [](const char* name, const Bytes& b) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size()));
        };
        const std::string ok = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        add("empty", {});
        add("seven bytes", Bytes(7, 0));
        add("length past end", makeFile(ok, zeros(8), ok.size() + 9));
        add("huge length", makeFile(ok, zeros(8), std::uint64_t(1) << 62));
        add("not json", makeFile("{not json", {}));
        add("json array", makeFile("[1,2]", {}));
        add("invalid utf8", makeFile("{\"t\xff\":{}}", {}));
        add("metadata not strings", makeFile(R"({"__metadata__":{"step":5}})", {}));
        add("metadata not object", makeFile(R"({"__metadata__":[]})", {}));
        add("entry not object", makeFile(R"({"t":5})", {}));
        add("unknown dtype", makeFile(R"({"t":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})", zeros(8)));
        add("negative dim", makeFile(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", zeros(8)));
        add("fractional dim",
            makeFile(R"({"t":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", zeros(8)));
        add("string dim", makeFile(R"({"t":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})", zeros(8)));
        add("missing offsets", makeFile(R"({"t":{"dtype":"F32","shape":[2]}})", zeros(8)));
        add("one offset", makeFile(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", zeros(8)));
        add("reversed offsets",
            makeFile(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", zeros(8)));
        add("offset past buffer",
            makeFile(R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", zeros(8)));
        add("size mismatch",
            makeFile(R"({"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,12]}})", zeros(12)));
        add("overlap", makeFile(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                                zeros(24)));
        add("gap", makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})",
                            zeros(24)));
        add("trailing bytes", makeFile(ok, zeros(12)));
        add("shape overflow",
            makeFile(R"({"t":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                     zeros(8)));
        add("offset overflow",
            makeFile(R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})",
                     zeros(1)));
    }
    void rejectsMalformedFiles() {
        QFETCH(QByteArray, bytes);
        const Bytes b(bytes.begin(), bytes.end());
        QVERIFY(rejects(b));
    }

    void everyTruncationIsRejected() {
        SafeTensorsFile file;
        const std::vector<float> w(10, 0.5f);
        file.add("w", w.data(), {2, 5});
        file.metadata.emplace("step", "3");
        const Bytes image = file.serialize();
        for (std::size_t n = 0; n < image.size(); ++n)
            QVERIFY2(rejects(Bytes(image.begin(), image.begin() + std::ptrdiff_t(n))),
                     qPrintable(QString::number(n)));
    }

    void byteFlipsNeverCrash() {
        SafeTensorsFile file;
        const std::vector<float> w(16, 0.25f);
        file.add("param/a", w.data(), {4, 4});
        file.add("adam_m/a", w.data(), {16});
        file.metadata["spec"] = "{}";
        const Bytes image = file.serialize();
        std::mt19937 rng(20240501);
        int rejected = 0;
        for (int i = 0; i < 2000; ++i) {
            Bytes copy = image;
            const int flips = 1 + int(rng() % 3);
            for (int f = 0; f < flips; ++f) copy[rng() % copy.size()] ^= std::uint8_t(1u << (rng() % 8));
            try {
                const SafeTensorsFile parsed = SafeTensorsFile::parse(copy);
                for (const SafeTensor& t : parsed.tensors())
                    QCOMPARE(t.bytes.size(), std::size_t(t.elementCount()) * dtypeSize(t.dtype));
            } catch (const Error&) {
                ++rejected;
            }
        }
        QVERIFY(rejected > 0);
    }

    void addRejectsBadTensors() {
        SafeTensorsFile file;
        const float f[2] = {1, 2};
        file.add("x", f, {2});
        QVERIFY_THROWS_EXCEPTION(Error, file.add("x", f, {2}));
        QVERIFY_THROWS_EXCEPTION(Error, file.add("__metadata__", f, {2}));
        QVERIFY_THROWS_EXCEPTION(Error, file.add("", f, {2}));
        QVERIFY_THROWS_EXCEPTION(Error, file.add("neg", f, {-1}));
        QVERIFY_THROWS_EXCEPTION(Error, file.add(SafeTensor{"raw", "F32", {3}, Bytes(8)}));
        QVERIFY_THROWS_EXCEPTION(Error, file.add(SafeTensor{"raw", "Q4", {1}, Bytes(1)}));
        QVERIFY_THROWS_EXCEPTION(Error, file.get("x").toInt64());
    }

    void saveAndLoadFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("ckpt.safetensors").toStdString();
        SafeTensorsFile file;
        const std::vector<float> w{1, 2, 3};
        file.add("param/w", w.data(), {3});
        file.saveFile(path);
        QCOMPARE(SafeTensorsFile::loadFile(path).get("param/w").toFloat32(), w);
        QVERIFY_THROWS_EXCEPTION(Error, SafeTensorsFile::loadFile(path + ".missing"));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 file.saveFile(dir.filePath("no/such/dir/x.safetensors").toStdString()));
    }
};

QTEST_APPLESS_MAIN(TestSafeTensors)
#include "tst_safetensors.moc"
