// The recorded model's description (run.model_json): JSON with every field optional, "—" for what is unknown,
// and readers that take a foreign run's shape from it instead of the engine's defaults — any combination of
// layers, heads and head dim opens; only a description that contradicts itself is damaged.
#include "core/data/tokenizer.h"
#include "core/model/config.h"
#include "core/model/model_description.h"
#include "core/run/recorded_run.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/store/sqlite_db.h"
#include "core/util/error.h"
#include "helpers/run_fixtures.h"

#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace attnscope;
using namespace attnscope::test;

namespace {

ModelDescription pythia() {
    ModelDescription d;
    d.family = "gpt_neox";
    d.source = "recorder";
    d.layers = 12;
    d.heads = 12;
    d.kvHeads = 12;
    d.headDim = 64;
    d.dModel = 768;
    d.vocab = 50304;
    d.context = 2048;
    d.positionScheme = "rotary";
    d.rotaryFraction = 0.25;
    d.rotaryBase = 10000;
    d.norm = "layernorm";
    d.mlp = "gelu";
    d.parallelResidual = true;
    d.tiedEmbeddings = false;
    d.parameters = 162322944;
    d.dtype = "float16";
    d.nameOrPath = "EleutherAI/pythia-160m";
    d.revision = "step143000";
    d.checkpointFolders = {{1000, "/models/pythia-160m/step1000"},
                           {143000, "/models/pythia-160m/step143000"}};
    return d;
}

// A header as the Python Recorder writes it for a 12-head model: the spec names only what the recorder
// found (no d_model, no seed, no step total), so the engine's defaults (d_model 128) fill the rest.
RunHeader recordedHeader(const std::string& modelJson) {
    RunHeader h = makeHeader();
    h.specJson = R"({"name":"pythia","model":{"layers":12,"heads":12},"train":{"record_every":10}})";
    h.appVersion = "attnscope-python 0.1.0";
    h.tokenizerJson = Tokenizer::fromLabels({"a", "b"}).toJson();
    h.modelJson = modelJson;
    return h;
}

} // namespace

class TestModelDescription : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private slots:
    void jsonRoundTripKeepsEveryFieldAndOnlyThose() {
        const ModelDescription d = pythia();
        const nlohmann::json j = toJson(d);
        QCOMPARE(j["kv_heads"].get<int>(), 12);
        QCOMPARE(j["position"]["rotary_fraction"].get<double>(), 0.25);
        QCOMPARE(toJson(modelDescriptionFromJson(j)), j);
        QCOMPARE(modelDescriptionFromJson(j).checkpointFolders, d.checkpointFolders);
        ModelDescription partial;
        partial.heads = 12;
        QCOMPARE(toJson(partial).dump(), std::string(R"({"heads":12})"));
        QVERIFY(ModelDescription{}.empty());
        QCOMPARE(toJsonText(ModelDescription{}), std::string());
        QVERIFY(modelDescriptionFromJsonText("").empty());
        // A newer writer's key is ignored, not an error.
        QCOMPARE(*modelDescriptionFromJsonText(R"({"heads":4,"sliding_window":256})").heads, 4);
    }

    void wrongTypesNameTheKey() {
        const auto message = [](const char* text) {
            return errorOf([&] { modelDescriptionFromJsonText(text); });
        };
        QVERIFY(message(R"({"heads":"twelve"})").find("model_json.heads") != std::string::npos);
        QVERIFY(message(R"({"layers":0})").find("positive integer") != std::string::npos);
        QVERIFY(message(R"({"position":{"rotary_fraction":"x"}})").find("position.rotary_fraction") !=
                std::string::npos);
        QVERIFY(message(R"({"tied_embeddings":1})").find("true or false") != std::string::npos);
        QVERIFY(message(R"({"checkpoint_folders":[{"step":-1,"path":"/m"}]})").find("checkpoint_folders") !=
                std::string::npos);
        QVERIFY(message(R"({"checkpoint_folders":{"step":1}})").find("an array") != std::string::npos);
        QVERIFY(message("[1]").find("object") != std::string::npos);
        QVERIFY(message("{").find("not valid JSON") != std::string::npos);
    }

    void unknownFieldsShowAsDash() {
        ModelDescription d;
        d.layers = 2;
        d.heads = 12;
        for (const auto& [key, value] : d.displayRows()) {
            if (key == "layers")
                QCOMPARE(value, std::string("2"));
            else if (key == "heads")
                QCOMPARE(value, std::string("12"));
            else
                QCOMPARE(value, std::string(kUnknownValue));
        }
        QCOMPARE(d.shapeLine(), std::string("2L × 12H · d— · T—"));
        QCOMPARE(pythia().shapeLine(), std::string("12L × 12H · d768 · T2048"));
        const std::vector<std::string> badges = pythia().badges();
        QVERIFY(std::find(badges.begin(), badges.end(), "RoPE 25%") != badges.end());
        QVERIFY(std::find(badges.begin(), badges.end(), "parallel residual") != badges.end());
    }

    void contradictionsAreListed() {
        ModelDescription d = pythia();
        QVERIFY(d.contradictions().empty());
        d.kvHeads = 5;
        QCOMPARE(d.contradictions().size(), std::size_t(1));
        d.kvHeads = 4;
        d.rotaryFraction = 1.5;
        QCOMPARE(d.contradictions().size(), std::size_t(1));
    }

    void engineRunsAreDescribedFromTheirSpec() {
        ModelConfig c;
        c.position = PositionScheme::Rope;
        const ModelDescription d = describeEngineModel(c);
        QCOMPARE(*d.source, std::string("engine"));
        QCOMPARE(*d.headDim, c.dModel / c.heads);
        QCOMPARE(*d.positionScheme, std::string("rotary"));
        RunWriter::create(path("engine.attnrun"), makeHeader());
        const RunReader reader(path("engine.attnrun"));
        QVERIFY(!reader.external());
        QCOMPARE(*reader.model().source, std::string("engine"));
        QCOMPARE(reader.header().modelJson, std::string());
        QCOMPARE(plannedSteps(reader.spec(), reader.external()),
                 std::optional<int>(reader.spec().train.steps));
    }

    void twelveHeadRecordingOpensWithItsOwnShape() {
        const std::string file = path("pythia.attnrun");
        {
            RunWriter w = RunWriter::create(file, recordedHeader(toJsonText(pythia())));
            w.appendSnapshot(makeSnapshot(0, 2, 12, 6, 1));
        }
        const RunReader reader(file);
        QVERIFY(reader.external().has_value());
        QCOMPARE(reader.spec().model.heads, 12);
        QCOMPARE(reader.spec().model.dModel, 768); // from model_json, not the engine's 128
        QCOMPARE(reader.spec().model.context, 2048);
        QCOMPARE(*reader.model().rotaryFraction, 0.25);
        QVERIFY(!reader.external()->plannedSteps && !reader.external()->seed); // never invented
        QVERIFY(reader.external()->states("record_every") && !reader.external()->states("lr"));
        const RecordedRun run = RecordedRun::load(reader);
        QCOMPARE(run.snapshots.size(), std::size_t(1));
        QVERIFY(!run.plannedSteps() && !run.seed());
        QCOMPARE(*run.model().family, std::string("gpt_neox"));
        QCOMPARE(run.tokenizer->display(0), std::string("a"));
    }

    void headsThatDoNotDivideTheEngineDefaultStillOpen() {
        // Written before schema 3 by the Python package: 12 heads, no d_model; the engine's default 128 is
        // not divisible by 12, which used to make the file "damaged".
        const std::string file = path("legacy.attnrun");
        RunWriter::create(file, recordedHeader(""));
        const RunReader reader(file);
        QVERIFY(reader.external().has_value());
        QCOMPARE(reader.spec().model.heads, 12);
        QVERIFY(!reader.model().dModel);
        QCOMPARE(*reader.model().heads, 12);
        // Also without the model_json column at all (a schema-2 file).
        {
            sqlite::Database db(file, sqlite::Database::Mode::ReadWrite, file);
            db.exec("ALTER TABLE run DROP COLUMN model_json");
            db.exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
        }
        const RunReader old(file);
        QCOMPARE(old.schemaVersion(), 2);
        QVERIFY(old.external().has_value() && old.header().modelJson.empty());
        // Many layers and heads (a 7B model has 32 × 32, larger ones 80 × 64) are not an engine limit here.
        ModelDescription big;
        big.layers = 80;
        big.heads = 64;
        big.kvHeads = 8;
        big.headDim = 128;
        RunWriter::create(path("big.attnrun"), recordedHeader(toJsonText(big)));
        QCOMPARE(RunReader(path("big.attnrun")).spec().model.layers, 80);
    }

    void selfContradictingDescriptionsAreDamaged() {
        ModelDescription d = pythia();
        d.kvHeads = 5;
        RunWriter::create(path("bad.attnrun"), recordedHeader(toJsonText(d)));
        const std::string message = errorOf([&] { RunReader r(path("bad.attnrun")); });
        QVERIFY2(message.find("is damaged") != std::string::npos &&
                     message.find("key/value heads") != std::string::npos,
                 message.c_str());
        RunWriter::create(path("garbled.attnrun"), recordedHeader(R"({"heads":"many"})"));
        QVERIFY(errorOf([&] { RunReader r(path("garbled.attnrun")); }).find("model_json.heads") !=
                std::string::npos);
    }

    void foreignVocabularyLabelsRoundTrip() {
        const Tokenizer t = Tokenizer::fromLabels({"!", " the", "\n", "  ", "", "é"});
        QVERIFY(t.isLabelled() && !t.isByteLevel());
        const Tokenizer back = Tokenizer::fromJson(t.toJson());
        QCOMPARE(back.vocabSize(), 6);
        QCOMPARE(back.display(0), std::string("!")); // id 0 is a token, not <unk>
        QCOMPARE(back.display(1), std::string(" the"));
        QCOMPARE(back.display(2), std::string("\u23CE"));
        QCOMPARE(back.display(3), std::string("\u2423\u2423"));
        QCOMPARE(back.display(4), std::string("\u2205"));
        QCOMPARE(back.decode({1, 5}), std::string(" theé"));
        QCOMPARE(Tokenizer::fromLabels({std::string(1, '\0'), "a\rb"}).display(0), std::string("\\x00"));
        QCOMPARE(Tokenizer::fromLabels({"a\rb"}).display(0), std::string("a\\x0Db"));
        QCOMPARE(back.encode("! the"), (std::vector<std::int32_t>{0, 1}));
    }
};

QTEST_GUILESS_MAIN(TestModelDescription)
#include "tst_model_description.moc"
