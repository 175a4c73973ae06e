#include "gui/export/export_dialog.h"

#include "figures/multi_figure.h"
#include "gui/export/difference_picker.h"
#include "gui/session/run_data.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

namespace attnscope::gui {

using namespace attnscope::figures;

FigureInput figureInputFrom(const RunData& run) {
    FigureInput in;
    in.runName = run.name;
    in.steps = run.steps;
    in.snapshots = run.snapshots;
    in.events = run.events;
    in.evals = run.evals;
    in.tokenizer = run.tokenizer;
    in.color = run.color; // figures of several runs keep the colours of the screen
    in.runPath = run.filePath.toStdString();
    return in;
}

ExportDialog::ExportDialog(FigureInput input, FigureRequest request, QWidget* parent)
    : QDialog(parent), m_input(std::move(input)) {
    setWindowTitle(tr("Export figure — %1").arg(m_input.runName));
    auto* form = new QFormLayout(this);
    const SnapshotPtr last = m_input.snapshotAt(-1);

    m_view = new QComboBox(this);
    m_view->setObjectName(QStringLiteral("exportView"));
    for (FigureView v : kAllViews)
        if (v != FigureView::LrSensitivity)
            m_view->addItem(viewName(v), int(v)); // a sweep's: the Sweeps page
    m_view->setItemText(1, tr("grid (layers × heads, one figure)"));
    m_view->setCurrentIndex(m_view->findData(int(request.view)));
    form->addRow(tr("View"), m_view);

    m_step = new QSpinBox(this);
    m_step->setRange(0, std::max(0, last ? last->step : 0));
    m_step->setValue(request.step < 0 ? m_step->maximum() : request.step);
    m_layer = new QSpinBox(this);
    m_layer->setRange(0, last ? last->layers - 1 : 0);
    m_layer->setValue(request.layer);
    m_head = new QSpinBox(this);
    m_head->setRange(0, last ? last->heads - 1 : 0);
    m_head->setValue(request.head);
    auto* where = new QHBoxLayout;
    where->addWidget(m_step);
    where->addWidget(m_layer);
    where->addWidget(m_head);
    m_step->setPrefix(tr("step "));
    m_layer->setPrefix(tr("layer "));
    m_head->setPrefix(tr("head "));
    form->addRow(tr("Data"), where);
    m_runs = new QComboBox(this);
    m_runs->setObjectName(QStringLiteral("exportRuns"));
    m_runs->setToolTip(tr("Several runs on one figure: curves overlaid or in panels on shared axes, or two "
                          "runs' attention maps side by side on one colour scale"));
    form->addRow(tr("Runs"), m_runs);
    m_difference = new DifferencePicker(m_input, this);
    form->addRow(tr("Difference"), m_difference);
    connect(m_view, &QComboBox::currentIndexChanged, this, &ExportDialog::syncRunChoices);
    connect(m_runs, &QComboBox::currentIndexChanged, this, [this] {
        // A difference belongs to figures of one run.
        m_difference->setEnabled(m_runs->currentData().toString() == QLatin1String("single"));
        followSuggestion();
    });
    const auto describe = [this] { m_difference->describe(this->request()); };
    connect(m_view, &QComboBox::currentIndexChanged, this, describe);
    for (QSpinBox* s : {m_step, m_layer, m_head}) connect(s, &QSpinBox::valueChanged, this, describe);
    connect(m_difference, &DifferencePicker::changed, this, describe);
    describe();
    syncRunChoices();

    QSettings settings;
    m_unit = new QComboBox(this);
    m_unit->addItems({tr("in"), tr("mm")});
    m_width = new QDoubleSpinBox(this);
    m_height = new QDoubleSpinBox(this);
    for (QDoubleSpinBox* s : {m_width, m_height})
        s->setRange(0.5, 40), s->setDecimals(2), s->setSingleStep(0.1);
    m_width->setValue(settings.value("export/widthIn", 3.5).toDouble());
    m_height->setValue(settings.value("export/heightIn", 2.5).toDouble());
    auto* size = new QHBoxLayout;
    size->addWidget(m_width);
    size->addWidget(new QLabel(QStringLiteral("×"), this));
    size->addWidget(m_height);
    size->addWidget(m_unit);
    auto* oneCol = new QToolButton(this);
    oneCol->setText(tr("1 column (3.5 in)"));
    auto* twoCol = new QToolButton(this);
    twoCol->setText(tr("2 columns (7.16 in)"));
    size->addWidget(oneCol);
    size->addWidget(twoCol);
    form->addRow(tr("Size"), size);
    connect(oneCol, &QToolButton::clicked, this, [this] { applyPreset(3.5, 2.5); });
    connect(twoCol, &QToolButton::clicked, this, [this] { applyPreset(7.16, 2.8); });
    connect(m_unit, &QComboBox::currentIndexChanged, this, &ExportDialog::unitChanged);

    m_font = new QFontComboBox(this);
    m_font->setCurrentFont(QFont(settings.value("export/font", QStringLiteral("DejaVu Sans")).toString()));
    m_fontSize = new QDoubleSpinBox(this);
    m_fontSize->setRange(4, 36);
    m_fontSize->setSuffix(tr(" pt"));
    m_fontSize->setValue(settings.value("export/fontPt", 8.0).toDouble());
    auto* fontRow = new QHBoxLayout;
    fontRow->addWidget(m_font, 1);
    fontRow->addWidget(m_fontSize);
    form->addRow(tr("Font"), fontRow);

    m_colormap = new QComboBox(this);
    for (figures::ColormapKind k : figures::Colormap::sequentialKinds())
        m_colormap->addItem(figures::toDisplayString(k), int(k));
    form->addRow(tr("Colormap"), m_colormap);

    m_title = new QCheckBox(tr("Title"), this);
    m_legend = new QCheckBox(tr("Legend"), this);
    m_colorbar = new QCheckBox(tr("Colorbar"), this);
    m_sidecar = new QCheckBox(tr("Data side-car (.csv / .npy)"), this);
    auto* parts = new QHBoxLayout;
    for (QCheckBox* c : {m_title, m_legend, m_colorbar, m_sidecar}) c->setChecked(true), parts->addWidget(c);
    form->addRow(tr("Show"), parts);
    m_logY = new QCheckBox(tr("Logarithmic y axis (curves)"), this);
    m_logY->setToolTip(tr("Curve figures only; values ≤ 0 are left out"));
    form->addRow(QString(), m_logY);

    m_dpi = new QSpinBox(this);
    m_dpi->setRange(72, 1200);
    m_dpi->setSuffix(tr(" dpi"));
    m_dpi->setValue(settings.value("export/dpi", 300).toInt());
    m_dpi->setToolTip(tr("PNG resolution, and the resolution of heatmap cells embedded in PDF/SVG"));
    form->addRow(tr("Raster"), m_dpi);

    m_path = new QLineEdit(this);
    m_suggestedPath =
        QDir(settings.value("export/dir", QDir::homePath()).toString()).filePath(suggestedStem() + ".pdf");
    m_path->setText(m_suggestedPath);
    connect(m_view, &QComboBox::currentIndexChanged, this, &ExportDialog::followSuggestion);
    connect(m_difference, &DifferencePicker::changed, this, &ExportDialog::followSuggestion);
    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("File"), pathRow);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Export figure"), m_path->text(),
                                                       tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
        if (!p.isEmpty()) m_path->setText(p);
    });

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (exportNow()) accept();
    });
}

void ExportDialog::applyPreset(double widthIn, double heightIn) {
    m_width->setValue(m_mm ? widthIn * 25.4 : widthIn);
    m_height->setValue(m_mm ? heightIn * 25.4 : heightIn);
}

double ExportDialog::toInches(double v) const {
    return m_mm ? v / 25.4 : v;
}

void ExportDialog::unitChanged() {
    const bool mm = m_unit->currentIndex() == 1;
    if (mm == m_mm) return;
    const double w = toInches(m_width->value()), h = toInches(m_height->value());
    m_mm = mm;
    for (QDoubleSpinBox* s : {m_width, m_height})
        s->setRange(mm ? 10 : 0.5, mm ? 1000 : 40), s->setDecimals(mm ? 1 : 2);
    applyPreset(w, h);
}

FigureRequest ExportDialog::request() const {
    FigureRequest r;
    r.view = FigureView(m_view->currentData().toInt());
    r.step = m_step->value();
    r.layer = m_layer->value();
    r.head = m_head->value();
    if (!isMapView(r.view)) r.pinStep = m_difference->pinStep();
    return r;
}

FigureOptions ExportDialog::options() const {
    FigureOptions o;
    o.widthIn = toInches(m_width->value());
    o.heightIn = toInches(m_height->value());
    o.fontFamily = m_font->currentFont().family();
    o.fontPt = m_fontSize->value();
    o.colormap = figures::ColormapKind(m_colormap->currentData().toInt());
    o.title = m_title->isChecked();
    o.legend = m_legend->isChecked();
    o.colorbar = m_colorbar->isChecked();
    o.logY = m_logY->isChecked();
    o.dpi = m_dpi->value();
    return o;
}

QString ExportDialog::suggestedStem() const {
    QString stem = QStringLiteral("%1-%2").arg(m_input.runName, viewName(request().view));
    const QString runs = m_runs->currentData().toString();
    if (runs.startsWith(QLatin1String("beside:")))
        stem += QStringLiteral("-beside");
    else if (runs != QLatin1String("single"))
        stem += QStringLiteral("-runs");
    else if (m_difference->run() != DifferencePicker::kNone)
        stem += QStringLiteral("-diff");
    // Run names may contain '/' (preset groups such as "exp-logit-growth/baseline") and punctuation: one flat
    // file name of letters, digits and . + - _.
    stem.replace(
        QRegularExpression(QStringLiteral(R"([^\w.+-]+)"), QRegularExpression::UseUnicodePropertiesOption),
        QStringLiteral("-"));
    return stem;
}

void ExportDialog::followSuggestion() {
    if (m_path->text() != m_suggestedPath) return; // the user chose a name: keep it
    const QFileInfo current(m_suggestedPath);
    const QString suffix = current.suffix().isEmpty() ? QStringLiteral("pdf") : current.suffix();
    m_suggestedPath = current.dir().filePath(suggestedStem() + "." + suffix);
    m_path->setText(m_suggestedPath);
}

QString ExportDialog::path() const {
    return m_path->text();
}
void ExportDialog::setPath(const QString& path) {
    m_path->setText(path);
}

void ExportDialog::addRun(int id, FigureInput input, bool visible) {
    m_others.push_back({id, std::move(input), visible});
    syncRunChoices();
}

bool ExportDialog::selectRuns(const QString& key) {
    const int index = m_runs->findData(key);
    if (index >= 0) m_runs->setCurrentIndex(index);
    return index >= 0;
}

void ExportDialog::syncRunChoices() {
    const QString current = m_runs->currentData().toString();
    const QSignalBlocker block(m_runs);
    m_runs->clear();
    m_runs->addItem(tr("this run"), QStringLiteral("single"));
    if (isMapView(request().view)) {
        for (const OtherRun& o : m_others)
            m_runs->addItem(tr("beside run “%1” (one colour scale)").arg(o.input.runName),
                            QStringLiteral("beside:%1").arg(o.id));
    } else {
        int visible = 0;
        for (const OtherRun& o : m_others) visible += o.visible ? 1 : 0;
        if (visible > 0) {
            const QString n = QString::number(visible + 1);
            m_runs->addItem(tr("%1 visible runs, overlaid").arg(n), QStringLiteral("overlay"));
            m_runs->addItem(tr("%1 visible runs, one panel each").arg(n), QStringLiteral("panels:run"));
        }
        m_runs->addItem(visible > 0 ? tr("visible runs, one panel per layer") : tr("one panel per layer"),
                        QStringLiteral("panels:layer"));
        m_runs->addItem(visible > 0 ? tr("visible runs, one panel per head") : tr("one panel per head"),
                        QStringLiteral("panels:head"));
    }
    const int index = m_runs->findData(current);
    m_runs->setCurrentIndex(index >= 0 ? index : 0);
    m_difference->setEnabled(m_runs->currentData().toString() == QLatin1String("single"));
}

bool ExportDialog::exportNow(QString* error) {
    FigureInput input = m_input; // shares the snapshots; only the comparison is set on the copy
    ExportResult r;
    const QString runs = m_runs->currentData().toString();
    try {
        if (runs == QLatin1String("single")) {
            m_difference->apply(input, request());
            r = exportFigure(input, request(), options(), path(), m_sidecar->isChecked());
        } else {
            std::vector<FigureInput> inputs{m_input};
            MultiRequest multi{request(), Arrangement::Overlay, Facet::Run};
            multi.base.pinStep = -1;
            if (runs.startsWith(QLatin1String("beside:"))) {
                const int id = runs.section(QLatin1Char(':'), 1).toInt();
                for (const OtherRun& o : m_others)
                    if (o.id == id) inputs.push_back(o.input);
            } else {
                for (const OtherRun& o : m_others)
                    if (o.visible) inputs.push_back(o.input);
                if (runs.startsWith(QLatin1String("panels:"))) {
                    multi.arrangement = Arrangement::Panels;
                    multi.facet = parseFacet(runs.section(QLatin1Char(':'), 1)).value_or(Facet::Run);
                }
            }
            r = exportRuns(inputs, multi, options(), path(), m_sidecar->isChecked());
        }
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    if (!r.ok) {
        if (error)
            *error = r.error;
        else
            QMessageBox::warning(this, tr("Export failed"), r.error);
        return false;
    }
    QSettings settings;
    const FigureOptions o = options();
    settings.setValue("export/widthIn", o.widthIn);
    settings.setValue("export/heightIn", o.heightIn);
    settings.setValue("export/font", o.fontFamily);
    settings.setValue("export/fontPt", o.fontPt);
    settings.setValue("export/dpi", o.dpi);
    settings.setValue("export/dir", QFileInfo(path()).absolutePath());
    m_written = QStringList{QFileInfo(path()).absoluteFilePath()};
    if (!r.sidecarPath.isEmpty()) m_written << r.sidecarPath;
    return true;
}

} // namespace attnscope::gui
