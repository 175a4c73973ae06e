#include "gui/views/extrapolation_job.h"

#include "core/data/token_source.h"
#include "core/eval/extrapolation.h"
#include "core/store/run_reader.h"
#include "core/store/run_writer.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <QThread>
#include <exception>
#include <new>
#include <omp.h>

namespace attnscope::gui {

ExtrapolationOutcome runExtrapolation(const ExtrapolationRequest& request, std::atomic<int>* done) {
    ExtrapolationOutcome out;
    out.request = request;
    try {
        omp_set_num_threads(std::max(1, request.threads)); // per thread: the trainer's team is untouched
        LoadedModel loaded;
        {
            const RunReader reader(request.filePath.toStdString());
            const std::vector<int> steps = reader.checkpointSteps();
            if (steps.empty())
                throw Error("The run file " + request.filePath.toStdString() +
                            " holds no checkpoint, so there is no model to evaluate.");
            loaded = loadModel(reader.checkpoint(steps.back()));
        }
        out.step = loaded.step;
        out.context = loaded.spec.model.context;
        const auto source = makeTokenSource(loaded.spec.data, 1);
        ExtrapolationOptions options;
        options.bos = loaded.spec.data.bos;
        options.step = loaded.step;
        options.maxTokens = request.maxTokens;
        for (int length : request.lengths) {
            out.records.push_back(evaluateAtLength(*loaded.model, *source, length, options));
            if (done) ++*done;
        }
        if (request.positionLength > 0) {
            out.positions = lossByPosition(*loaded.model, *source, request.positionLength, options.bos,
                                           std::min<std::int64_t>(request.maxTokens, 16384));
            if (done) ++*done;
        }
    } catch (const std::bad_alloc&) {
        out.error = QObject::tr("Not enough memory to evaluate this model at these lengths.");
        return out;
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
        return out;
    }
    if (request.save && !out.records.empty()) {
        try {
            RunWriter writer = RunWriter::openForAppend(request.filePath.toStdString());
            for (const EvalRecord& r : out.records) writer.appendEval(r);
        } catch (const std::exception& e) {
            out.saveError = QString::fromStdString(e.what());
        }
    }
    return out;
}

ExtrapolationJob::ExtrapolationJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const ExtrapolationOutcome>>();
}

ExtrapolationJob::~ExtrapolationJob() {
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

int ExtrapolationJob::progressPercent() const {
    return m_done ? std::min(100, 100 * m_done->load() / std::max(1, m_items)) : 0;
}

bool ExtrapolationJob::start(ExtrapolationRequest request) {
    if (m_thread) return false;
    m_items = int(request.lengths.size()) + (request.positionLength > 0 ? 1 : 0);
    m_done = std::make_shared<std::atomic<int>>(0);
    m_outcome = std::make_shared<ExtrapolationOutcome>();
    m_thread = QThread::create([outcome = m_outcome, done = m_done, request = std::move(request)] {
        *outcome = runExtrapolation(request, done.get());
    });
    m_thread->setObjectName(QStringLiteral("extrapolation"));
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->wait();
        m_thread->deleteLater();
        m_thread = nullptr;
        emit finished(std::move(m_outcome));
    });
    m_thread->start(QThread::LowPriority);
    return true;
}

} // namespace attnscope::gui
