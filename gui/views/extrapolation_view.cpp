#include "gui/views/extrapolation_view.h"

#include "gui/session/run_registry.h"
#include "gui/widgets/chart_help.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>
#include <set>
#include <thread>

namespace attnscope::gui {

namespace {
constexpr int kMaxPositionLength = 512;
constexpr int kSmoothing = 9; // positions in the moving average of the per-position curve

QCustomPlot* makePlot(QWidget* parent, const QString& x, const QString& y, bool logX) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(320, 260);
    plot->xAxis->setLabel(x);
    plot->yAxis->setLabel(y);
    if (logX) {
        plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setLogBase(2);
        ticker->setSubTickCount(0);
        plot->xAxis->setTicker(ticker);
    }
    plot->legend->setVisible(true);
    plot->legend->setFont(QFont(plot->font().family(), 8));
    // Below the axes, in a row of its own: the curves and the L marker stay uncovered.
    auto* legendRow = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, legendRow);
    plot->axisRect()->insetLayout()->take(plot->legend);
    legendRow->addElement(0, 0, plot->legend);
    legendRow->setMargins(QMargins(0, 0, 0, 0));
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
    return plot;
}

// Centred grey text over an empty chart (removed by clearItems()).
void setPlaceholder(QCustomPlot* plot, bool show, const QString& text) {
    if (!show) return;
    auto* item = new QCPItemText(plot);
    item->position->setType(QCPItemPosition::ptAxisRectRatio);
    item->position->setCoords(0.5, 0.5);
    item->setText(text);
    item->setColor(QColor(120, 120, 120));
}

std::vector<int> defaultLengths(int L) {
    return {L, L * 3 / 2, 2 * L, 4 * L, 8 * L};
}

// Vertical dashed line at x with a label at the top.
void markLength(QCustomPlot* plot, double x, const QString& text) {
    auto* line = new QCPItemStraightLine(plot);
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setPen(QPen(QColor(110, 110, 110), 1, Qt::DashLine));
    auto* label = new QCPItemText(plot);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(x, 0.02);
    label->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
    label->setText(text);
    label->setFont(QFont(plot->font().family(), 8));
    label->setColor(QColor(90, 90, 90));
    label->setPadding(QMargins(3, 0, 0, 0));
}
} // namespace

ExtrapolationView::ExtrapolationView(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_job(new ExtrapolationJob(this)), m_poll(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_evaluate = new QPushButton(tr("Evaluate lengths…"), this);
    m_evaluate->setObjectName(QStringLiteral("evaluateLengths"));
    m_evaluate->setToolTip(tr("Evaluates the selected run's latest checkpoint at several lengths on a worker "
                              "and stores the results in its file (as attnscope-cli eval --save)"));
    m_positionButton = new QPushButton(tr("Per-position loss"), this);
    m_positionButton->setToolTip(tr("Loss at every position of a sequence 8× the training length (at most %1 "
                                    "tokens), for every visible run")
                                     .arg(kMaxPositionLength));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(180);
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    bar->addWidget(m_evaluate);
    bar->addWidget(m_positionButton);
    bar->addWidget(m_progress);
    bar->addWidget(m_status, 1);
    layout->addLayout(bar);

    auto* charts = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    m_lengthPlot = makePlot(this, tr("evaluation length (tokens)"), tr("validation loss (nats/token)"), true);
    left->addWidget(m_lengthPlot, 1);
    left->addWidget(new ChartCaption(QStringLiteral("extrapolation"), this));
    auto* right = new QVBoxLayout;
    m_positionPlot = makePlot(this, tr("position in the sequence"), tr("loss (nats/token)"), false);
    right->addWidget(m_positionPlot, 1);
    right->addWidget(new ChartCaption(QStringLiteral("position-loss"), this));
    charts->addLayout(left, 1);
    charts->addLayout(right, 1);
    layout->addLayout(charts, 1);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);

    connect(m_evaluate, &QPushButton::clicked, this, &ExtrapolationView::askLengths);
    connect(m_positionButton, &QPushButton::clicked, this, &ExtrapolationView::computePositionLoss);
    connect(m_job, &ExtrapolationJob::finished, this, &ExtrapolationView::onFinished);
    connect(m_poll, &QTimer::timeout, this, [this] { m_progress->setValue(m_job->progressPercent()); });
    m_poll->setInterval(200);
    for (auto signal : {&RunRegistry::runAdded, &RunRegistry::runRemoved, &RunRegistry::appearanceChanged,
                        &RunRegistry::selectionChanged})
        connect(&registry, signal, this, &ExtrapolationView::refresh);
    connect(&registry, &RunRegistry::runRemoved, this, [this](int id) { m_positions.erase(id); });
    connect(&registry, &RunRegistry::dataAppended, this, [this](int id) {
        const RunData* run = m_registry.find(id);
        if (run && !run->evals.empty()) refresh();
    });
    refresh();
}

std::vector<std::pair<int, double>> ExtrapolationView::lengthCurve(const RunData& run) {
    std::map<int, const EvalRecord*> latest;
    for (const EvalRecord& e : run.evals) {
        if (e.mode != "nonoverlapping") continue;
        auto& slot = latest[e.length];
        if (!slot || e.step >= slot->step) slot = &e;
    }
    std::vector<std::pair<int, double>> out;
    for (const auto& [length, e] : latest)
        if (std::isfinite(e->loss)) out.emplace_back(length, e->loss);
    return out;
}

QString ExtrapolationView::note() const {
    return m_note->text();
}

void ExtrapolationView::refresh() {
    m_lengthPlot->clearGraphs();
    m_lengthPlot->clearItems();
    m_positionPlot->clearGraphs();
    m_positionPlot->clearItems();
    std::set<int> contexts;
    QStringList without, learned;
    double maxLength = 0;
    for (const auto& runPtr : m_registry.runs()) {
        const RunData& run = *runPtr;
        if (!run.visible) continue;
        const int L = run.spec.model.context;
        const bool isLearned = run.spec.model.position == PositionScheme::Learned;
        const auto curve = lengthCurve(run);
        const bool selected = run.id == m_registry.selectedId();
        QPen pen(run.color, selected ? 2.5 : 1.6);
        if (!curve.empty()) {
            QCPGraph* g = m_lengthPlot->addGraph();
            g->setName(run.name);
            g->setPen(pen);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, run.color, run.color, 6));
            for (const auto& [length, loss] : curve) {
                g->addData(length, loss);
                maxLength = std::max(maxLength, double(length));
            }
            contexts.insert(L);
        } else {
            without << run.name;
        }
        if (isLearned) learned << run.name;
        if (auto it = m_positions.find(run.id); it != m_positions.end() && !it->second.loss.empty()) {
            const std::vector<double>& loss = it->second.loss;
            QCPGraph* g = m_positionPlot->addGraph();
            g->setName(run.name);
            g->setPen(pen);
            const int n = int(loss.size());
            for (int i = 0; i < n; ++i) {
                const int lo = std::max(0, i - kSmoothing / 2), hi = std::min(n - 1, i + kSmoothing / 2);
                double sum = 0;
                for (int k = lo; k <= hi; ++k) sum += loss[k];
                g->addData(i + 1, sum / (hi - lo + 1));
            }
            markLength(m_positionPlot, L, tr("L = %1").arg(L));
        }
    }
    for (int L : contexts) markLength(m_lengthPlot, L, tr("L = %1 (trained)").arg(L));
    // Learned positions have no embedding past L: their curve ends there, and says so.
    for (const auto& runPtr : m_registry.runs())
        if (runPtr->visible && runPtr->spec.model.position == PositionScheme::Learned &&
            !lengthCurve(*runPtr).empty()) {
            auto* text = new QCPItemText(m_lengthPlot);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(runPtr->spec.model.context, 0.1);
            text->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
            text->setText(tr("%1:\nlearned positions,\ncannot run past L").arg(runPtr->name));
            text->setTextAlignment(Qt::AlignRight);
            text->setColor(runPtr->color.darker(130));
            text->setFont(QFont(m_lengthPlot->font().family(), 8));
            text->setPadding(QMargins(0, 0, 4, 0));
        }
    m_lengthPlot->rescaleAxes();
    if (!contexts.empty()) {
        const double lo = *contexts.begin() / 1.25;
        m_lengthPlot->xAxis->setRange(lo, std::max(maxLength, double(*contexts.rbegin()) * 2) * 1.25);
    }
    m_lengthPlot->yAxis->scaleRange(1.15, m_lengthPlot->yAxis->range().center());
    m_positionPlot->rescaleAxes();
    m_positionPlot->yAxis->scaleRange(1.1, m_positionPlot->yAxis->range().center());
    m_lengthPlot->legend->setVisible(m_lengthPlot->graphCount() > 0);
    setPlaceholder(
        m_lengthPlot, m_lengthPlot->graphCount() == 0,
        tr("No run with stored length evaluations is visible.\nSelect a run and press Evaluate lengths…"));
    setPlaceholder(m_positionPlot, m_positionPlot->graphCount() == 0,
                   tr("Press Per-position loss to compute the loss\nat every position of a long sequence."));
    m_positionPlot->legend->setVisible(m_positionPlot->graphCount() > 0);
    m_lengthPlot->replot();
    m_positionPlot->replot();

    QStringList lines;
    if (!without.isEmpty())
        lines << tr("No length evaluations stored for: %1 — select one and press Evaluate lengths….")
                     .arg(without.join(QStringLiteral(", ")));
    if (!learned.isEmpty())
        lines << tr("Learned positions (%1) have no embedding past the training length L: they cannot be "
                    "evaluated past it.")
                     .arg(learned.join(QStringLiteral(", ")));
    m_note->setText(lines.join(QStringLiteral("<br>")));
}

void ExtrapolationView::askLengths() {
    const RunData* run = m_registry.selected();
    if (!run) {
        m_status->setText(tr("Select a run first."));
        return;
    }
    const int L = run->spec.model.context;
    QStringList text;
    for (int l : defaultLengths(L)) text << QString::number(l);
    bool ok = false;
    const QString answer = QInputDialog::getText(
        this, tr("Evaluate lengths"),
        tr("Lengths (tokens) to evaluate “%1” at (trained at L = %2):").arg(run->name).arg(L),
        QLineEdit::Normal, text.join(QStringLiteral(",")), &ok);
    if (!ok) return;
    std::vector<int> lengths;
    for (const QString& part : answer.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool valid = false;
        const int l = part.trimmed().toInt(&valid);
        if (!valid || l < 2 || l > 65536) {
            m_status->setText(tr("“%1” is not a length between 2 and 65536 tokens.").arg(part.trimmed()));
            return;
        }
        lengths.push_back(l);
    }
    if (!lengths.empty()) evaluate(run->id, lengths);
}

bool ExtrapolationView::evaluate(int runId, std::vector<int> lengths, bool save, std::int64_t maxTokens) {
    const RunData* run = m_registry.find(runId);
    if (!run) return false;
    const int L = run->spec.model.context;
    if (lengths.empty()) lengths = defaultLengths(L);
    ExtrapolationRequest request;
    request.runId = runId;
    request.filePath = run->filePath;
    request.save = save;
    request.maxTokens = maxTokens;
    request.positionLength =
        run->spec.model.position == PositionScheme::Learned
            ? L
            : std::min(kMaxPositionLength, std::max(L, *std::max_element(lengths.begin(), lengths.end())));
    request.lengths = std::move(lengths);
    m_queue.push_back(request);
    startNext();
    return true;
}

void ExtrapolationView::computePositionLoss() {
    for (const auto& run : m_registry.runs()) {
        if (!run->visible || m_positions.count(run->id) || run->filePath.isEmpty()) continue;
        ExtrapolationRequest request;
        request.runId = run->id;
        request.filePath = run->filePath;
        const int L = run->spec.model.context;
        request.positionLength =
            run->spec.model.position == PositionScheme::Learned ? L : std::min(kMaxPositionLength, 8 * L);
        request.save = false;
        m_queue.push_back(request);
    }
    startNext();
}

void ExtrapolationView::startNext() {
    if (m_job->isBusy() || m_queue.empty()) return;
    ExtrapolationRequest request = m_queue.front();
    m_queue.erase(m_queue.begin());
    const RunData* run = m_registry.find(request.runId);
    if (!run) return startNext();
    request.threads = std::max(1, int(std::thread::hardware_concurrency()) / 2);
    m_status->setText(request.lengths.empty()
                          ? tr("Loss by position of “%1”…").arg(run->name)
                          : tr("Evaluating “%1” at %2 lengths…").arg(run->name).arg(request.lengths.size()));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_evaluate->setEnabled(false);
    m_poll->start();
    m_job->start(std::move(request));
}

void ExtrapolationView::onFinished(const std::shared_ptr<const ExtrapolationOutcome>& outcome) {
    m_poll->stop();
    m_progress->setVisible(false);
    m_evaluate->setEnabled(true);
    const int id = outcome->request.runId;
    RunData* run = m_registry.find(id);
    if (!outcome->ok()) {
        m_status->setText(tr("Evaluation failed: %1").arg(outcome->error));
    } else if (run) {
        for (const EvalRecord& r : outcome->records) {
            auto same = std::find_if(run->evals.begin(), run->evals.end(), [&](const EvalRecord& e) {
                return e.step == r.step && e.length == r.length && e.mode == r.mode;
            });
            if (same != run->evals.end())
                *same = r;
            else
                run->evals.push_back(r);
        }
        if (!outcome->positions.loss.empty()) m_positions[id] = outcome->positions;
        QString text =
            outcome->records.empty()
                ? tr("“%1”: loss by position over %2 chunks of %3 tokens (checkpoint of step %4).")
                      .arg(run->name)
                      .arg(outcome->positions.sequences)
                      .arg(outcome->request.positionLength)
                      .arg(outcome->step)
                : tr("“%1”: evaluated at %2 lengths (checkpoint of step %3)%4.")
                      .arg(run->name)
                      .arg(outcome->records.size())
                      .arg(outcome->step)
                      .arg(!outcome->request.save         ? QString()
                           : outcome->saveError.isEmpty() ? tr(", stored in the run file")
                                                          : tr(" — not stored: %1").arg(outcome->saveError));
        m_status->setText(text);
        m_registry.notifyDataAppended(id);
    }
    refresh();
    emit evaluationFinished(id);
    startNext();
}

} // namespace attnscope::gui
