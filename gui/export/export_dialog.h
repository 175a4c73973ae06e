#pragma once
// File > Export figure… (Ctrl+Shift+E): one view of the selected run, or the layers × heads grid, to PDF,
// SVG or PNG at a physical size (presets: IEEE one column 3.5 in, two columns 7.16 in), with font, size,
// colormap, title/legend/colorbar switches and the raster DPI, plus the CSV/NPY side-car. Drawing is done
// by attnscope_figures, the same code as `attnscope-cli plot`; the Difference row is its --compare-step and
// --compare-run.
#include "figures/figure_export.h"

#include <QDialog>
#include <QStringList>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFontComboBox;
class QLineEdit;
class QSpinBox;

namespace attnscope::gui {

class DifferencePicker;
struct RunData;

// The recorded data of a run in the form the figure library draws (shares the snapshots, no copies of maps).
figures::FigureInput figureInputFrom(const RunData& run);

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(figures::FigureInput input, figures::FigureRequest request, QWidget* parent = nullptr);

    figures::FigureRequest request() const;
    figures::FigureOptions options() const;
    DifferencePicker* difference() const { return m_difference; }
    // Another open run, offered in the Runs row: drawn with the selected run when "visible runs" (overlaid
    // or in panels) is chosen and it is `visible`, or beside it (maps) when chosen by name.
    void addRun(int id, figures::FigureInput input, bool visible);
    QComboBox* runsBox() const { return m_runs; }
    // Picks the Runs row's entry: "single", "overlay", "panels:run|layer|head" or "beside:<id>".
    bool selectRuns(const QString& key);
    QString path() const;
    // The files the last successful export wrote: the figure, then its side-car (if any).
    QStringList writtenFiles() const { return m_written; }
    void setPath(const QString& path);
    // Writes the figure; on failure shows the reason and returns false.
    bool exportNow(QString* error = nullptr);

private:
    void applyPreset(double widthIn, double heightIn);
    double toInches(double v) const;
    void unitChanged();
    // "<run>-<view>[-diff]" as a flat file name; the path follows view and difference until the user edits
    // it.
    QString suggestedStem() const;
    void followSuggestion();
    void syncRunChoices(); // the Runs row's entries for the view (curves: overlay/panels; maps: beside)

    struct OtherRun {
        int id;
        figures::FigureInput input;
        bool visible;
    };
    std::vector<OtherRun> m_others;
    QComboBox* m_runs;

    figures::FigureInput m_input;
    QComboBox* m_view;
    QSpinBox* m_step;
    QSpinBox* m_layer;
    QSpinBox* m_head;
    DifferencePicker* m_difference;
    QDoubleSpinBox* m_width;
    QDoubleSpinBox* m_height;
    QComboBox* m_unit;
    QFontComboBox* m_font;
    QDoubleSpinBox* m_fontSize;
    QComboBox* m_colormap;
    QCheckBox* m_title;
    QCheckBox* m_legend;
    QCheckBox* m_logY;
    QCheckBox* m_colorbar;
    QCheckBox* m_sidecar;
    QStringList m_written;
    QSpinBox* m_dpi;
    QLineEdit* m_path;
    QString m_suggestedPath; // the path last filled in automatically
    bool m_mm = false;
};

} // namespace attnscope::gui
