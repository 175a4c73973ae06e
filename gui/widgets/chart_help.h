#pragma once
// "What am I seeing?": the one-line explanation, formula and units of every chart and metric, read from
// resources/lessons/charts.json (the app's own words, kept out of code). A ChartCaption is the line placed
// under a chart; its "[formula]" mark announces the formula and units as a tooltip.
#include <QLabel>
#include <QString>
#include <initializer_list>
#include <utility>

class QBoxLayout;

namespace attnscope::gui {

struct ChartHelp {
    QString what;    // one line, plain language
    QString formula; // as in docs/metrics.md
    QString unit;
    bool isEmpty() const { return what.isEmpty(); }
    QString toolTip() const; // rich text: formula and units
};

// The help of `key` ("entropy", "max-logit", …); empty for an unknown key.
ChartHelp chartHelp(const QString& key);

class ChartCaption : public QLabel {
    Q_OBJECT
public:
    // `subject` names the chart the line explains when several captions sit under one grid of charts.
    ChartCaption(const QString& key, QWidget* parent = nullptr, const QString& subject = {});
    QString key() const { return m_key; }
    void setKey(const QString& key);

private:
    QString m_key;
    QString m_subject;
};

// One caption per (key, chart name) under a grid of charts, in the grid's order.
void addCaptions(QBoxLayout* layout, QWidget* parent,
                 std::initializer_list<std::pair<const char*, QString>> keysAndSubjects);

} // namespace attnscope::gui
