#pragma once
// Layers × heads small multiples of the probe's attention maps with an enlarged heatmap of the selected
// head beside them (a splitter pane), and the colour controls: colormap, linear/log, per-head / shared /
// fixed colour range. setComparison() switches every map to a difference (this snapshot minus another).
#include "core/model/config.h"
#include "core/probe/snapshot.h"
#include "figures/colormap.h"
#include "gui/attention/attention_labels.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSplitter;
class AttentionGridCanvas;
class AttentionHeatmap;

class AttentionGridView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionGridView(QWidget* parent = nullptr);
    // New probe data (e.g. every N training steps). tok is only read during the call: token labels are
    // copied, so it need not outlive the view. Keeps the selected head when it still exists.
    void setSnapshot(attnscope::SnapshotPtr s, const attnscope::Tokenizer* tok,
                     const attnscope::ModelConfig& cfg);
    // Difference mode against another snapshot (another run, or another step): maps show current − other
    // with a diverging colormap and a symmetric range. nullptr = off. Kept across setSnapshot() calls.
    // `otherLabel` names what is subtracted in the status and the heatmap title ("step 100", "ls step
    // 350"; default "step N"); `note` is appended to the status (e.g. why another step was taken).
    void setComparison(attnscope::SnapshotPtr other /* nullptr = off */, const QString& otherLabel = {},
                       const QString& note = {});
    // Shown as a warning in the status while a requested difference cannot be drawn (no step pinned,
    // runs of different shapes); the maps stay plain. Empty clears it.
    void setComparisonWarning(const QString& warning);

    // Programmatic selection (does not emit headSelected, which reports user choices).
    void selectHead(int layer, int head);
    int selectedLayer() const;
    int selectedHead() const;
    void setColormap(attnscope::figures::ColormapKind kind);
    void setScale(attnscope::figures::ColorScale scale);
    void setRangeMode(attnscope::figures::RangeMode mode);
    // Current comparison state in words, e.g. "Δ step 1200 − step 800", or why it is off.
    QString comparisonStatus() const;
    bool comparisonWarned() const; // the status is a warning (nothing drawn as a difference)

    AttentionGridCanvas* grid() const { return m_grid; }
    AttentionHeatmap* heatmap() const { return m_heatmap; }

signals:
    void headSelected(int layer, int head);

private:
    void refresh();            // data changed: grid, heatmap and status
    void syncHeatmapColours(); // colour settings changed
    void updateControls();
    void updateMarks(); // the top heads by the chosen metric, outlined in the grid

    attnscope::SnapshotPtr m_snapshot, m_other;
    QString m_otherLabel, m_note, m_warning;
    QStringList m_labels;
    attnscope::HeadTags m_tags;

    QComboBox* m_colormapBox = nullptr;
    QCheckBox* m_logBox = nullptr;
    QComboBox* m_rangeBox = nullptr;
    QComboBox* m_markBox = nullptr; // outline the top heads by a metric
    QLabel* m_status = nullptr;
    QSplitter* m_splitter = nullptr;
    AttentionGridCanvas* m_grid = nullptr;
    AttentionHeatmap* m_heatmap = nullptr;
};
