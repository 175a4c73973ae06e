#include "gui/attention/attention_grid_view.h"
#include "figures/figure_comparison.h"
#include "gui/attention/attention_grid_canvas.h"
#include "gui/attention/attention_heatmap.h"
#include "gui/attention/head_field.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

using namespace attnscope;

AttentionGridView::AttentionGridView(QWidget* parent) : QWidget(parent) {
    m_colormapBox = new QComboBox(this);
    for (figures::ColormapKind k : figures::Colormap::sequentialKinds())
        m_colormapBox->addItem(figures::toDisplayString(k), int(k));
    m_colormapBox->setToolTip(tr("Perceptually uniform colormap for attention weights"));
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setToolTip(
        tr("Logarithmic colour scale over the top %1 decades of the range").arg(int(figures::kLogDecades)));
    m_rangeBox = new QComboBox(this);
    m_rangeBox->addItem(tr("Per-head range"), int(figures::RangeMode::PerHead));
    m_rangeBox->addItem(tr("Shared range"), int(figures::RangeMode::Shared));
    m_rangeBox->addItem(tr("Fixed 0–1"), int(figures::RangeMode::Fixed));
    m_rangeBox->setToolTip(tr("Per head: each map uses its own visible range. Shared: one range over all "
                              "heads. Fixed: 0–1 (±1 for differences), comparable across steps and runs.\n"
                              "Masked cells never enter a range."));
    m_markBox = new QComboBox(this);
    m_markBox->setObjectName("attentionMarkTop");
    m_markBox->addItem(tr("Mark no heads"), QString());
    m_markBox->addItem(tr("Top heads by sink score"), QStringLiteral("sink"));
    m_markBox->addItem(tr("Top heads by lowest entropy"), QStringLiteral("entropy"));
    m_markBox->addItem(tr("Top heads by max logit"), QStringLiteral("logit"));
    m_markBox->setToolTip(
        tr("Outline the heads with the highest sink score, the lowest entropy or the largest "
           "content logit at this step: as many as a layer has heads"));
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Long comparison notes wrap instead of widening the window past the screen.
    m_status->setWordWrap(true);
    m_status->setMinimumWidth(1);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Colormap"), this));
    controls->addWidget(m_colormapBox);
    controls->addWidget(m_logBox);
    controls->addWidget(m_rangeBox);
    controls->addWidget(m_markBox);
    controls->addSpacing(12);
    controls->addWidget(m_status, 1);

    m_grid = new AttentionGridCanvas;
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_heatmap = new AttentionHeatmap;
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(scroll);
    m_splitter->addWidget(m_heatmap);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_splitter, 1);

    connect(m_grid, &AttentionGridCanvas::headClicked, this, [this](int layer, int head) {
        m_heatmap->setHead(m_snapshot, m_labels, m_tags, layer, head);
        syncHeatmapColours();
        emit headSelected(layer, head);
    });
    connect(m_markBox, &QComboBox::currentIndexChanged, this, [this] { updateMarks(); });
    connect(m_colormapBox, &QComboBox::currentIndexChanged, this,
            [this] { setColormap(figures::ColormapKind(m_colormapBox->currentData().toInt())); });
    connect(m_logBox, &QCheckBox::toggled, this,
            [this](bool on) { setScale(on ? figures::ColorScale::Log : figures::ColorScale::Linear); });
    connect(m_rangeBox, &QComboBox::currentIndexChanged, this,
            [this] { setRangeMode(figures::RangeMode(m_rangeBox->currentData().toInt())); });
    updateControls();
}

void AttentionGridView::setSnapshot(SnapshotPtr s, const Tokenizer* tok, const ModelConfig& cfg) {
    m_labels = s ? tokenLabels(s->tokens, tok) : QStringList();
    m_tags = HeadTags::fromConfig(cfg);
    m_snapshot = std::move(s);
    refresh();
}

void AttentionGridView::setComparison(SnapshotPtr other, const QString& otherLabel, const QString& note) {
    const bool sameData = other == m_other;
    m_otherLabel = otherLabel;
    m_note = note;
    if (sameData) { // callers re-send it on every step; a rebuild costs all 64 maps
        m_heatmap->setComparisonLabel(m_otherLabel);
        return updateControls();
    }
    m_other = std::move(other);
    refresh();
}

void AttentionGridView::setComparisonWarning(const QString& warning) {
    if (warning == m_warning) return;
    m_warning = warning;
    updateControls();
}

void AttentionGridView::refresh() {
    const bool comparable = m_snapshot && m_other && HeadField::sameShape(*m_snapshot, *m_other);
    m_grid->setData(m_snapshot, comparable ? m_other : nullptr, m_tags);
    // Every head of a layer side by side at the smallest legible thumbnail (12 heads need ≈ 600 px): the
    // grid's pane keeps that width from the enlarged heatmap (up to 900 px; wider models scroll).
    m_splitter->widget(0)->setMinimumWidth(std::min(m_grid->minimumSizeHint().width(), 900));
    m_heatmap->setHead(m_snapshot, m_labels, m_tags, m_grid->selectedLayer(), m_grid->selectedHead());
    m_heatmap->setComparison(comparable ? m_other : nullptr);
    m_heatmap->setComparisonLabel(m_otherLabel);
    syncHeatmapColours();
    updateControls();
    updateMarks();
}

void AttentionGridView::updateMarks() {
    const QString metric = m_markBox->currentData().toString();
    const std::vector<float>* values = !m_snapshot           ? nullptr
                                       : metric == "sink"    ? &m_snapshot->sinkScore
                                       : metric == "entropy" ? &m_snapshot->entropy
                                       : metric == "logit"   ? &m_snapshot->maxLogit
                                                             : nullptr;
    const std::size_t n = m_snapshot ? std::size_t(m_snapshot->layers) * std::size_t(m_snapshot->heads) : 0;
    if (!values || values->size() != n) return m_grid->setMarked({});
    const float sign = metric == "entropy" ? -1.0f : 1.0f; // lowest entropy = most focused
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite((*values)[i])) order.push_back(i);
    const std::size_t top = std::min(order.size(), std::size_t(m_snapshot->heads));
    std::partial_sort(
        order.begin(), order.begin() + std::ptrdiff_t(top), order.end(),
        [&](std::size_t a, std::size_t b) { return sign * (*values)[a] > sign * (*values)[b]; });
    std::vector<bool> marked(n, false);
    for (std::size_t k = 0; k < top; ++k) marked[order[k]] = true;
    m_grid->setMarked(std::move(marked));
}

void AttentionGridView::selectHead(int layer, int head) {
    if (!m_snapshot || layer < 0 || head < 0 || layer >= m_grid->layers() || head >= m_grid->heads()) return;
    m_grid->setSelected(layer, head);
    m_heatmap->setHead(m_snapshot, m_labels, m_tags, layer, head);
    syncHeatmapColours();
}

int AttentionGridView::selectedLayer() const {
    return m_grid->selectedLayer();
}
int AttentionGridView::selectedHead() const {
    return m_grid->selectedHead();
}

void AttentionGridView::setColormap(figures::ColormapKind kind) {
    m_grid->setColormap(kind);
    m_heatmap->setColormap(kind);
    const int i = m_colormapBox->findData(int(kind));
    if (i >= 0 && i != m_colormapBox->currentIndex()) m_colormapBox->setCurrentIndex(i);
}

void AttentionGridView::setScale(figures::ColorScale scale) {
    m_grid->setScale(scale);
    m_heatmap->setScale(scale);
    syncHeatmapColours(); // a shared range depends on the scale
    if (m_logBox->isChecked() != (scale == figures::ColorScale::Log))
        m_logBox->setChecked(scale == figures::ColorScale::Log);
}

void AttentionGridView::setRangeMode(figures::RangeMode mode) {
    m_grid->setRangeMode(mode);
    syncHeatmapColours();
    const int i = m_rangeBox->findData(int(mode));
    if (i >= 0 && i != m_rangeBox->currentIndex()) m_rangeBox->setCurrentIndex(i);
}

void AttentionGridView::syncHeatmapColours() {
    // The enlarged map must show the thumbnail's colours exactly, so it takes the grid's range.
    m_heatmap->setRangeOverride(m_grid->rangeOverride());
}

QString AttentionGridView::comparisonStatus() const {
    if (!m_warning.isEmpty()) return m_warning;
    if (!m_other) return {};
    if (!m_snapshot) return tr("Comparison set; waiting for a snapshot");
    if (!HeadField::sameShape(*m_snapshot, *m_other))
        return tr("Cannot difference: this run is %1, the other %2")
            .arg(figures::snapshotShape(*m_snapshot), figures::snapshotShape(*m_other));
    QString s = tr("Δ step %1 − %2")
                    .arg(m_snapshot->step)
                    .arg(m_otherLabel.isEmpty() ? tr("step %1").arg(m_other->step) : m_otherLabel);
    if (!m_note.isEmpty()) s += QStringLiteral(" · ") + m_note;
    if (m_snapshot->tokens != m_other->tokens) s += tr(" · warning: the probe tokens differ");
    return s;
}

bool AttentionGridView::comparisonWarned() const {
    return !m_warning.isEmpty() || (m_snapshot && m_other && !HeadField::sameShape(*m_snapshot, *m_other));
}

void AttentionGridView::updateControls() {
    const bool diff = m_grid->isDifference();
    // Differences always use the diverging map on a linear, symmetric scale; say so instead of hiding.
    const QString why = tr("Difference maps use the diverging RdBu map on a linear scale symmetric around 0");
    m_colormapBox->setEnabled(!diff);
    m_logBox->setEnabled(!diff);
    m_colormapBox->setToolTip(diff ? why : tr("Perceptually uniform colormap for attention weights"));
    m_logBox->setToolTip(diff ? why
                              : tr("Logarithmic colour scale over the top %1 decades of the range")
                                    .arg(int(figures::kLogDecades)));
    m_status->setText(comparisonStatus());
    // A difference that cannot be drawn must not pass for one: the plain maps below get a loud caption.
    m_status->setStyleSheet(
        comparisonWarned()
            ? QStringLiteral("QLabel { color: #8a1c00; background: #fde8d7; "
                             "border: 1px solid #e8a27a; border-radius: 3px; padding: 2px 6px; }")
            : QString());
}
