#pragma once
// What a lesson arranges: the run registry and live sessions, the pages (by key), the step timeline, the
// entropy view's metric, the attention grid's enlarged head and the Sweeps page. The main window fills it
// in; the lessons never see the window.
#include <QString>
#include <functional>

namespace attnscope::gui {

class AttentionPanel;
class EntropyView;
class PageSwitcher;
class RunRegistry;
class SessionManager;
class StepTimeline;
class SweepsController;

struct LessonStage {
    RunRegistry& registry;
    SessionManager& sessions;
    PageSwitcher& pages;
    StepTimeline& timeline;
    EntropyView& entropy;
    AttentionPanel& attention;
    SweepsController* sweeps = nullptr; // lessons that name a sweep need it
    // Opens a run file as File › Open does: the run id, or 0 with `error` set.
    std::function<int(const QString& path, QString* error)> openRunFile;
};

} // namespace attnscope::gui
