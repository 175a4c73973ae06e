#include "figures/role_chart.h"

#include "figures/palette.h"

#include <QFile>
#include <QFontMetricsF>
#include <QPainter>
#include <QTextStream>
#include <algorithm>
#include <array>
#include <cmath>

namespace attnscope::figures {

namespace {

constexpr double kLegendGap = 4;

// Vertical room of the title and the legend rows above the cells.
double headerHeight(const RoleChartMarks& marks, const QFontMetricsF& fm) {
    double h = 0;
    if (!marks.title.isEmpty()) h += fm.height() + 2;
    if (marks.legend) h += fm.height() + kLegendGap;
    return h;
}

double medianInterval(const std::vector<int>& steps) {
    if (steps.size() < 2) return 1;
    std::vector<int> gaps;
    for (std::size_t k = 1; k < steps.size(); ++k) gaps.push_back(steps[k] - steps[k - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + std::ptrdiff_t(gaps.size() / 2), gaps.end());
    return std::max(1, gaps[gaps.size() / 2]);
}

QString headName(int row, int heads) {
    return QStringLiteral("L%1 H%2").arg(row / std::max(1, heads)).arg(row % std::max(1, heads));
}

} // namespace

QColor roleColor(HeadRole role) {
    switch (role) {
    case HeadRole::Induction:
        return okabeIto(OkabeIto::Vermillion);
    case HeadRole::PreviousToken:
        return okabeIto(OkabeIto::Blue);
    case HeadRole::DuplicateToken:
        return okabeIto(OkabeIto::ReddishPurple);
    case HeadRole::Sink:
        return okabeIto(OkabeIto::BluishGreen);
    case HeadRole::Local:
        return okabeIto(OkabeIto::SkyBlue);
    case HeadRole::Diffuse:
        return QColor(0xB8, 0xB8, 0xB8);
    case HeadRole::Mixed:
        return QColor(0xEC, 0xEC, 0xEC);
    }
    return QColor(Qt::white);
}

QString roleLabel(HeadRole role) {
    switch (role) {
    case HeadRole::Induction:
        return QStringLiteral("induction");
    case HeadRole::PreviousToken:
        return QStringLiteral("prev-token");
    case HeadRole::DuplicateToken:
        return QStringLiteral("duplicate");
    case HeadRole::Sink:
        return QStringLiteral("sink");
    case HeadRole::Local:
        return QStringLiteral("local");
    case HeadRole::Diffuse:
        return QStringLiteral("diffuse");
    case HeadRole::Mixed:
        return QStringLiteral("mixed");
    }
    return {};
}

double RoleChartGeometry::xOf(double step) const {
    const double span = std::max(1e-9, lastStep - firstStep);
    return plot.left() + (step - firstStep) / span * plot.width();
}

double RoleChartGeometry::stepAt(double x) const {
    return firstStep + (x - plot.left()) / std::max(1e-9, plot.width()) * (lastStep - firstStep);
}

int RoleChartGeometry::rowAt(double y) const {
    if (rows <= 0 || y < plot.top() || y >= plot.bottom()) return -1;
    return std::min(rows - 1, int((y - plot.top()) / plot.height() * rows));
}

RoleChartGeometry roleChartGeometry(const QRectF& bounds, const RoleHistory& h, const RoleChartMarks& marks,
                                    const QFont& font) {
    const QFontMetricsF fm(font);
    RoleChartGeometry g;
    g.rows = h.layers * h.heads;
    const double labelWidth = fm.horizontalAdvance(QStringLiteral("L00 H00")) + 4;
    const double axisHeight = fm.height() + 4;
    const double top = bounds.top() + headerHeight(marks, fm);
    g.plot = QRectF(bounds.left() + labelWidth, top, std::max(1.0, bounds.width() - labelWidth - 4),
                    std::max(1.0, bounds.bottom() - axisHeight - top));
    if (!h.steps.empty()) {
        g.firstStep = h.steps.front();
        g.lastStep = h.steps.back() + medianInterval(h.steps);
    }
    return g;
}

void paintRoleChart(QPainter& p, const QRectF& bounds, const RoleHistory& h, const RoleChartMarks& marks) {
    const QFontMetricsF fm(p.font());
    const RoleChartGeometry g = roleChartGeometry(bounds, h, marks, p.font());
    p.save();
    double y = bounds.top();
    if (!marks.title.isEmpty()) {
        p.setPen(Qt::black);
        p.drawText(QRectF(bounds.left(), y, bounds.width(), fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   marks.title);
        y += fm.height() + 2;
    }
    if (marks.legend) {
        double x = g.plot.left();
        const double box = fm.height() * 0.7;
        for (int r = 0; r < kHeadRoleCount; ++r) {
            const HeadRole role = HeadRole(r);
            const QString label = roleLabel(role);
            p.fillRect(QRectF(x, y + (fm.height() - box) / 2, box, box), roleColor(role));
            p.setPen(QColor(0x60, 0x60, 0x60));
            p.drawRect(QRectF(x, y + (fm.height() - box) / 2, box, box));
            p.setPen(Qt::black);
            p.drawText(QPointF(x + box + 2, y + fm.ascent()), label);
            x += box + 2 + fm.horizontalAdvance(label) + 8;
        }
    }
    if (h.steps.empty() || g.rows == 0) {
        p.setPen(Qt::gray);
        p.drawText(g.plot, Qt::AlignCenter, QStringLiteral("no snapshot with head scores"));
        p.restore();
        return;
    }
    const double rowHeight = g.plot.height() / g.rows;
    const double end = g.lastStep;
    for (std::size_t k = 0; k < h.steps.size(); ++k) {
        const double x0 = g.xOf(h.steps[k]);
        const double x1 = g.xOf(k + 1 < h.steps.size() ? h.steps[k + 1] : end);
        for (int row = 0; row < g.rows; ++row)
            p.fillRect(QRectF(x0, g.plot.top() + row * rowHeight, std::max(0.5, x1 - x0), rowHeight),
                       roleColor(h.roles[k][std::size_t(row)]));
    }
    // Layer separators and head labels.
    p.setPen(QPen(Qt::white, 1));
    for (int l = 1; l < h.layers; ++l) {
        const double yl = g.plot.top() + l * h.heads * rowHeight;
        p.drawLine(QPointF(g.plot.left(), yl), QPointF(g.plot.right(), yl));
    }
    p.setPen(Qt::black);
    const bool everyRow = rowHeight >= fm.height() * 0.8;
    for (int row = 0; row < g.rows; ++row) {
        if (!everyRow && row % h.heads != 0) continue;
        p.drawText(QRectF(bounds.left(), g.plot.top() + row * rowHeight, g.plot.left() - bounds.left() - 4,
                          everyRow ? rowHeight : fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, headName(row, h.heads));
    }
    p.setPen(QColor(0x40, 0x40, 0x40));
    p.setBrush(Qt::NoBrush);
    p.drawRect(g.plot);
    // Step axis: first, last and up to three round steps between.
    const double axisY = g.plot.bottom() + 2;
    const auto tick = [&](double step) {
        const double x = g.xOf(step);
        p.drawLine(QPointF(x, g.plot.bottom()), QPointF(x, axisY));
        const QString text = QString::number(int(step));
        const double w = fm.horizontalAdvance(text);
        p.drawText(QPointF(std::clamp(x - w / 2, g.plot.left(), g.plot.right() - w), axisY + fm.ascent()),
                   text);
    };
    const double span = g.lastStep - g.firstStep;
    const double raw = span / 4, magnitude = std::pow(10.0, std::floor(std::log10(std::max(1.0, raw))));
    double stepTick = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            stepTick = m * magnitude;
            break;
        }
    for (double s = std::ceil(g.firstStep / stepTick) * stepTick; s <= g.lastStep; s += stepTick) tick(s);
    const auto vertical = [&](int step, const QPen& pen, const QString& label) {
        const double x = g.xOf(step);
        if (x < g.plot.left() - 0.5 || x > g.plot.right() + 0.5) return;
        p.setPen(pen);
        p.drawLine(QPointF(x, g.plot.top()), QPointF(x, g.plot.bottom()));
        if (!label.isEmpty()) {
            const double w = fm.horizontalAdvance(label) + 4;
            const QRectF box(std::min(x + 2, g.plot.right() - w), g.plot.top() + 1, w, fm.height());
            p.fillRect(box, QColor(255, 255, 255, 210));
            p.setPen(Qt::black);
            p.drawText(box, Qt::AlignCenter, label);
        }
    };
    if (marks.phaseStep)
        vertical(*marks.phaseStep, QPen(Qt::black, 1.5, Qt::DashLine),
                 QStringLiteral("phase change %1").arg(*marks.phaseStep));
    if (marks.cursorStep) vertical(*marks.cursorStep, QPen(QColor(0x20, 0x20, 0x20), 1), QString());
    p.restore();
}

bool writeRoleCsv(const RoleHistory& h, const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error) *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QTextStream out(&file);
    out << "step,layer,head,role,previous_token,duplicate_token,induction,sink,local_mass,mean_distance,"
           "norm_entropy\n";
    for (std::size_t k = 0; k < h.steps.size(); ++k)
        for (std::size_t i = 0; i < h.roles[k].size(); ++i) {
            const RoleScores& s = h.scores[k][i];
            out << h.steps[k] << ',' << int(i) / h.heads << ',' << int(i) % h.heads << ','
                << toString(h.roles[k][i]);
            for (float v : {s.previousToken, s.duplicateToken, s.induction, s.sink, s.localMass,
                            s.meanDistance, s.normEntropy})
                out << ',' << QString::number(double(v), 'g', 9);
            out << '\n';
        }
    out.flush();
    if (file.error() != QFile::NoError) {
        if (error) *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace attnscope::figures
