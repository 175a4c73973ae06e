#pragma once
// View › Presentation mode (larger fonts, thicker lines: a lecture hall can read the charts) and View › Dark
// theme, for the whole application, remembered across sessions. Charts, captions and hints follow through
// Qt's application font and palette change events.
#include <QObject>
#include <QPalette>

class QAction;
class QMenu;

namespace attnscope::gui {

class Appearance : public QObject {
    Q_OBJECT
public:
    static constexpr double kPresentationScale = 1.5; // fonts and line widths in presentation mode

    explicit Appearance(QObject* parent = nullptr); // applies the remembered settings
    bool presentation() const { return m_presentation; }
    bool dark() const { return m_dark; }
    void setPresentation(bool on);
    void setDark(bool on);
    // Adds the two checkable actions to `view`.
    void addActions(QMenu* view);

    static QPalette darkPalette();

private:
    void apply();

    bool m_presentation = false, m_dark = false;
    double m_basePointSize = 0; // the application font's size before any scaling
    QPalette m_basePalette;
    QAction* m_presentationAction = nullptr;
    QAction* m_darkAction = nullptr;
};

} // namespace attnscope::gui
