#include "gui/sweeps/sweep_curves.h"

#include "gui/sweeps/sweep_folder.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope::gui {

namespace {

std::vector<std::string> without(const std::vector<std::string>& v, int a, int b) {
    std::vector<std::string> out;
    for (int i = 0; i < int(v.size()); ++i)
        if (i != a && i != b) out.push_back(v[std::size_t(i)]);
    return out;
}

QString joined(const std::vector<std::string>& labels, const QString& fallback) {
    QStringList parts;
    for (const std::string& l : labels) parts << QString::fromStdString(l);
    return parts.isEmpty() ? fallback : parts.join(QStringLiteral(" · "));
}

} // namespace

std::vector<VariantCurve> lrCurves(const SweepData& data) {
    std::vector<VariantCurve> curves;
    const SweepSummary& s = data.summary;
    if (s.lrAxis < 0) return curves;
    const SweepAxis& axis = data.spec.axes[std::size_t(s.lrAxis)];
    std::vector<double> lrs;
    for (const auto& v : axis.values) {
        if (!v.is_number()) return curves;
        lrs.push_back(v.get<double>());
    }
    // Grid order of the LR axis may be anything; the chart wants ascending LR.
    std::vector<std::size_t> order(lrs.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lrs[a] < lrs[b]; });

    for (std::size_t i = 0; i < data.cells.size() && i < s.cells.size(); ++i) {
        const std::vector<std::string> key = without(data.cells[i].labels, s.lrAxis, s.seedAxis);
        auto it = std::find_if(curves.begin(), curves.end(),
                               [&](const VariantCurve& c) { return c.labels == key; });
        if (it == curves.end()) {
            VariantCurve c;
            c.labels = key;
            c.label = joined(key, QString::fromStdString(data.spec.name));
            for (std::size_t k : order) {
                LrPoint point;
                point.lr = lrs[k];
                c.points.push_back(point);
            }
            curves.push_back(c);
            it = curves.end() - 1;
        }
        const std::size_t lrIndex = data.cells[i].point[std::size_t(s.lrAxis)];
        const auto pos = std::size_t(std::find(order.begin(), order.end(), lrIndex) - order.begin());
        it->points[pos].cells.push_back(int(i));
    }
    for (VariantCurve& c : curves) {
        for (const LrSensitivity& l : s.sensitivity)
            if (l.labels == c.labels) c.sensitivity = &l;
        for (LrPoint& p : c.points) {
            std::vector<double> loss, logit, init, allInit;
            for (int i : p.cells) {
                const CellResult& r = s.cells[std::size_t(i)];
                if (!r.complete) continue;
                allInit.push_back(r.initLoss);
                // As summarize(): a run is diverged when its status says so or its final loss is not finite.
                if (r.diverged || !std::isfinite(r.finalValLoss)) {
                    ++p.diverged;
                    init.push_back(r.initLoss);
                    if (std::isfinite(r.peakMaxLogit))
                        p.divergedLogit = std::isnan(p.divergedLogit)
                                              ? r.peakMaxLogit
                                              : std::max(p.divergedLogit, r.peakMaxLogit);
                    continue;
                }
                loss.push_back(r.finalValLoss);
                logit.push_back(std::isfinite(r.maxLogit) ? r.maxLogit : NAN);
            }
            p.loss = meanSd(loss);
            p.logit = meanSd(logit);
            p.divergedLoss = meanSd(init).mean;
            p.initLoss = meanSd(allInit).mean;
        }
    }
    return curves;
}

QString formatStat(const Stat& s, int precision) {
    if (s.n == 0 || std::isnan(s.mean)) return QStringLiteral("—");
    // Plain digits from 100 to 10⁶ ("8572 ± 6243", not "8.57e+03 ± 6.2e+03"), significant digits outside;
    // the sd follows the mean's style.
    const bool plain = std::abs(s.mean) >= 100 && std::abs(s.mean) < 1e6;
    const QString mean = plain ? QString::number(s.mean, 'f', 0) : QString::number(s.mean, 'g', precision);
    if (s.n < 2 || std::isnan(s.sd)) return mean;
    return QStringLiteral("%1 ± %2").arg(mean, plain ? QString::number(s.sd, 'f', 0)
                                                     : QString::number(s.sd, 'g', 2));
}

} // namespace attnscope::gui
