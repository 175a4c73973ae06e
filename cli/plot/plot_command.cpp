// attnscope-plot (also `attnscope-cli plot`): the app's publication figures without the app. Draws with
// attnscope_figures, the same code as the GUI's File > Export figure, so a figure scripted here matches one
// exported there. Qt runs on the offscreen platform, so plotting works on machines without a display.
#include "cli/plot/plot_command.h"

#include "core/store/run_file.h"
#include "core/util/error.h"
#include "figures/figure_comparison.h"
#include "figures/figure_export.h"
#include "figures/multi_figure.h"
#include "figures/sweep_figure.h"

#include <QGuiApplication>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace attnscope::cli {

using namespace attnscope::figures;

namespace {

// Qt warns on stderr when XDG_RUNTIME_DIR is unset (a shell without a login session, a CI job) although an
// offscreen plot never uses it: give it a private one (0700, as Qt requires) for the life of the program.
class PrivateRuntimeDir {
public:
    PrivateRuntimeDir() {
        if (std::getenv("XDG_RUNTIME_DIR")) return;
        std::string pattern = (std::filesystem::temp_directory_path() / "attnscope-plot-XXXXXX").string();
        if (mkdtemp(pattern.data())) {
            m_path = pattern;
            setenv("XDG_RUNTIME_DIR", m_path.c_str(), 1);
        }
    }
    ~PrivateRuntimeDir() {
        std::error_code ec;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
    }

private:
    std::string m_path;
};

// Fonts need a QGuiApplication; make one (offscreen unless the caller chose a platform) on first use.
void ensureApplication() {
    if (QCoreApplication::instance()) return;
    if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
    static PrivateRuntimeDir runtimeDir; // destroyed after the application below

    static int argc = 1;
    static char name[] = "attnscope-plot";
    static char* argv[] = {name, nullptr};
    static std::unique_ptr<QGuiApplication> app = std::make_unique<QGuiApplication>(argc, argv);
}

// Run files as given, a folder standing for every *.attnrun in it (a sweep), sorted by name.
std::vector<std::string> expandRunPaths(const std::vector<std::string>& given) {
    std::vector<std::string> paths;
    for (const std::string& p : given) {
        std::error_code ec;
        if (!std::filesystem::is_directory(p, ec)) {
            paths.push_back(p);
            continue;
        }
        std::vector<std::string> inFolder;
        for (const auto& entry : std::filesystem::directory_iterator(p, ec))
            if (entry.is_regular_file() && entry.path().extension() == kRunFileExtension)
                inFolder.push_back(entry.path().string());
        if (inFolder.empty()) throw Error("The folder " + p + " holds no " + kRunFileExtension + " files.");
        std::sort(inFolder.begin(), inFolder.end());
        paths.insert(paths.end(), inFolder.begin(), inFolder.end());
    }
    return paths;
}

double lengthOption(const Args& args, const std::string& name, double fallback) {
    const std::optional<std::string> text = args.text(name);
    if (!text) return fallback;
    const std::optional<double> v = parseLength(QString::fromStdString(*text));
    if (!v) throw UsageError("--" + name + " takes a length such as 3.5in or 88.9mm, not '" + *text + "'.");
    return *v;
}

} // namespace

int runPlot(const Args& args) {
    FigureRequest request;
    const std::string viewText = args.text("view", "attention");
    const std::optional<FigureView> view = parseView(QString::fromStdString(viewText));
    if (!view)
        throw UsageError("--view must be attention, grid, entropy, logits, sinks, training, extrapolation, "
                         "value-residual, extreme-tokens, lr-sensitivity or roles, not '" +
                         viewText + "'.");
    request.view = *view;
    request.step = args.integer("step", 0, 1 << 30).value_or(-1);
    request.layer = args.integer("layer", 0, 4096).value_or(0);
    request.head = args.integer("head", 0, 4096).value_or(0);

    FigureOptions options;
    options.widthIn = lengthOption(args, "width", options.widthIn);
    options.heightIn = lengthOption(args, "height", options.heightIn);
    options.fontPt = args.number("font-size", 2, 72).value_or(options.fontPt);
    options.dpi = args.integer("dpi", 30, 2400).value_or(options.dpi);
    if (const auto family = args.text("font")) options.fontFamily = QString::fromStdString(*family);
    if (const auto name = args.text("colormap")) {
        const std::optional<ColormapKind> kind = parseColormap(QString::fromStdString(*name));
        if (!kind) throw UsageError("--colormap must be viridis, magma or cividis, not '" + *name + "'.");
        options.colormap = *kind;
    }
    options.title = !args.has("no-title");
    options.logY = args.has("log-y");
    options.legend = !args.has("no-legend");
    options.colorbar = !args.has("no-colorbar");

    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out FILE is required (.pdf, .svg or .png).");
    if (!formatForPath(QString::fromStdString(out)))
        throw UsageError("--out must end in .pdf, .svg or .png.");

    if (request.view == FigureView::LrSensitivity) {
        // Drawn from a sweep folder's summary (its run files, or its summary_cells.csv), not from runs.
        if (args.positionals().size() != 1)
            throw UsageError(
                "--view lr-sensitivity takes one sweep folder (written by attnscope-cli sweep).");
        const std::string folder = args.positionals().front();
        const SweepSummary summary = readSweepSummary(folder);
        ensureApplication();
        const QString name =
            QString::fromStdString(std::filesystem::path(folder).lexically_normal().filename().string());
        const ExportResult result =
            exportLrSensitivity(summary, name.isEmpty() ? QStringLiteral("sweep") : name, options,
                                QString::fromStdString(out), !args.has("no-data"));
        if (!result.ok) throw Error(result.error.toStdString());
        std::printf("%s\n", out.c_str());
        if (!result.sidecarPath.isEmpty()) std::printf("%s\n", result.sidecarPath.toStdString().c_str());
        return 0;
    }
    const std::vector<std::string> runPaths = expandRunPaths(args.positionals());
    const std::optional<std::string> arrangeText = args.text("arrange"), facetText = args.text("facet");
    const std::optional<Arrangement> arrangement =
        parseArrangement(QString::fromStdString(arrangeText.value_or("overlay")));
    if (!arrangement) throw UsageError("--arrange must be overlay or panels, not '" + *arrangeText + "'.");
    const std::optional<Facet> facet = parseFacet(QString::fromStdString(facetText.value_or("run")));
    if (!facet) throw UsageError("--facet must be run, layer or head, not '" + *facetText + "'.");
    if (request.view == FigureView::Roles && (runPaths.size() > 1 || arrangeText || facetText))
        throw UsageError("--view roles draws one run (no --arrange or --facet).");
    if (runPaths.size() > 1 || arrangeText || facetText) {
        // Several runs on one figure: overlaid, in panels, or two runs' maps side by side.
        if (args.has("compare-run") || args.has("compare-step"))
            throw UsageError("--compare-run and --compare-step apply to a figure of one run.");
        if (isMapView(request.view) && runPaths.size() != 2)
            throw UsageError("Maps of several runs are drawn side by side: give exactly two runs, not " +
                             std::to_string(runPaths.size()) + ".");
        std::vector<FigureInput> runs;
        for (const std::string& path : runPaths)
            runs.push_back(loadFigureInput(path, isMapView(request.view)));
        ensureApplication();
        const ExportResult result = exportRuns(runs, {request, *arrangement, *facet}, options,
                                               QString::fromStdString(out), !args.has("no-data"));
        if (!result.ok) throw Error(result.error.toStdString());
        std::printf("%s\n", out.c_str());
        if (!result.sidecarPath.isEmpty()) std::printf("%s\n", result.sidecarPath.toStdString().c_str());
        return 0;
    }
    // Roles of files written before the head scores were stored are computed from the maps (RunReader).
    const bool maps = isMapView(request.view) || request.view == FigureView::Roles;
    FigureInput input = loadFigureInput(runPaths.front(), maps);
    const std::optional<int> compareStep = args.integer("compare-step", 0, 1 << 30);
    const std::optional<std::string> compareRun = args.text("compare-run");
    if (!isMapView(request.view)) {
        // Curves have no difference; a compare step is marked as step A beside the cursor, as in the app.
        if (compareRun) throw UsageError("--compare-run applies to --view attention and grid.");
        request.pinStep = compareStep.value_or(-1);
    } else if (compareRun) {
        const FigureInput other = loadFigureInput(*compareRun);
        setComparison(input, request, &other, compareStep.value_or(-1));
    } else if (compareStep) {
        setComparison(input, request, nullptr, *compareStep);
    }
    ensureApplication();
    const ExportResult result =
        exportFigure(input, request, options, QString::fromStdString(out), !args.has("no-data"));
    if (!result.ok) throw Error(result.error.toStdString());
    std::printf("%s\n", out.c_str());
    if (!result.sidecarPath.isEmpty()) std::printf("%s\n", result.sidecarPath.toStdString().c_str());
    return 0;
}

const CommandSpec& plotSpec() {
    static const CommandSpec spec{
        "plot",
        "draw a publication figure (PDF, SVG or PNG) of one or several runs, as the app's Export figure does",
        "attnscope-plot RUN [RUN | FOLDER …] --out FILE [options]   (or: attnscope-cli plot …)",
        "Draws one view of a run file at a physical size, with vector text (embedded TrueType fonts) in PDF "
        "and\n"
        "SVG and the heatmap cells as an embedded raster at --dpi. Writes the plotted numbers beside the "
        "figure:\n"
        "FILE.csv for curves, FILE.npy (float32) for attention maps.\n"
        "Several runs (or a folder of run files, e.g. a sweep) go on one figure: curves overlaid with a run\n"
        "legend (--arrange overlay) or in panels on shared axes (--arrange panels --facet run|layer|head);\n"
        "two runs' attention maps side by side on one colour scale. The side-car names every series by run.",
        1,
        256,
        {{"view", "NAME",
          "attention (one head), grid (layers × heads), entropy, logits, sinks, training, extrapolation "
          "(loss "
          "against evaluation length), value-residual (importance entropy per layer), extreme-tokens (sink "
          "score over non-trigger queries), lr-sensitivity (a sweep FOLDER: final loss against LR), or roles "
          "(head roles over training)"},
         {"step", "N", "snapshot at or before step N (default: the latest)"},
         {"layer", "L", "layer (default 0)"},
         {"head", "H", "head for --view attention (default 0)"},
         {"compare-step", "N",
          "maps show step − this step (difference, diverging colormap); curves mark it as step A"},
         {"compare-run", "FILE",
          "maps show this run − the run in FILE, at the same step or at --compare-step N (nearest recorded "
          "snapshot at or before it); both runs must have the same layers, heads and probe length"},
         {"arrange", "HOW", "several runs: overlay (one chart, default) or panels (small multiples)"},
         {"facet", "WHAT", "--arrange panels: one panel per run (default), layer or head (of --layer)"},
         {"out", "FILE", "output file; the format follows the suffix .pdf, .svg or .png"},
         {"width", "LEN", "figure width, e.g. 3.5in (one column), 7.16in (two columns), 88.9mm"},
         {"height", "LEN", "figure height (default 2.5in)"},
         {"font", "FAMILY", "font family (default DejaVu Sans)"},
         {"font-size", "PT", "font size in points (default 8)"},
         {"colormap", "NAME", "viridis, magma or cividis (default viridis)"},
         {"dpi", "N", "PNG resolution and heatmap raster resolution (default 300)"},
         {"log-y", "", "logarithmic y axis for curve views (values <= 0 are left out)"},
         {"no-title", "", "omit the title"},
         {"no-legend", "", "omit the legend"},
         {"no-colorbar", "", "omit the colorbar"},
         {"no-data", "", "do not write the .csv/.npy side-car"}},
        "  attnscope-plot run.attnrun --view attention --step 600 --layer 1 --head 2 --out fig.pdf\n"
        "  attnscope-plot run.attnrun --view entropy --layer 0 --width 7.16in --height 2in --out "
        "ent.svg\n"
        "  attnscope-plot run.attnrun --view grid --step 400 --compare-step 100 --out grid-diff.pdf\n"
        "  attnscope-plot a.attnrun --view grid --step 400 --compare-run b.attnrun --out "
        "a-minus-b.pdf\n"
        "  attnscope-plot base.attnrun sigma.attnrun --view entropy --layer 2 --out entropy-both.pdf\n"
        "  attnscope-plot runs/sweep-lr/ --view training --arrange panels --width 7.16in --out sweep.pdf\n"
        "  attnscope-plot base.attnrun alibi.attnrun --view attention --layer 1 --head 0 --out side.pdf\n"
        "  attnscope-plot alibi.attnrun sinusoidal.attnrun --view extrapolation --out extrapolation.pdf\n"
        "  attnscope-plot sample_runs/sweeps/lr-sensitivity --view lr-sensitivity --width 7.16in --out "
        "lr.pdf\n"};
    return spec;
}

} // namespace attnscope::cli
