#pragma once
// "Probe text" tab: type a text (or pick a preset in the run's vocabulary), and the selected run's checkpoint
// nearest to the timeline's step reads it; its attention maps, per-head metrics and next-token predictions
// appear in the same views as a recorded snapshot. The text is checked as it is typed (token count, unknown
// characters, the model's length limit); the forward pass runs on a worker thread (TextProbeRunner).
#include "core/eval/text_probe.h"
#include "gui/probe/imported_tokenizer.h"

#include <QWidget>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace attnscope::gui {

class ProbeResultView;
class RunRegistry;
class StepTimeline;
class TextProbeRunner;
struct RunData;
struct TextProbeOutcome;

class ProbeTextPanel : public QWidget {
    Q_OBJECT
public:
    ProbeTextPanel(RunRegistry& registry, StepTimeline& timeline, QWidget* parent = nullptr);

    void setText(const QString& text);
    void probe(); // the Probe button: validates, then hands the probe to the worker

    QPlainTextEdit* textEdit() const { return m_text; }
    QPushButton* probeButton() const { return m_probe; }
    QComboBox* presets() const { return m_presets; }
    QCheckBox* followBox() const { return m_follow; }
    ProbeResultView* result() const { return m_result; }
    TextProbeRunner* runner() const { return m_runner; }
    QString checkpointText() const; // which checkpoint a probe would use, or why none
    QString inputText() const;      // the typed text in tokens, or why it cannot be probed
    QString messageText() const;    // the last probe's outcome (which step it used, or its error)
    int resultRun() const { return m_shownRun; } // the run whose checkpoint produced the result on screen

signals:
    void probeFinished(bool ok); // a result (ok) or an error is on screen

private:
    void syncRun();    // the selected run changed, or its data (checkpoints) grew
    void syncChoice(); // run, step or checkpoints changed: which checkpoint, and follow the timeline
    void checkInput(); // the text or the run changed: encode it again, then syncChoice()
    void rebuildPresets(const RunData* run);
    void showOutcome(const TextProbeOutcome& outcome);
    void setMessage(QLabel* label, const QString& text, const char* colour);
    // The text as the selected run's tokenizer reads it (an imported model's own tokenizer.json); nullopt
    // with `why` set when it cannot be probed.
    std::optional<ProbeText> encoded(const RunData& run, QString* why) const;

    RunRegistry& m_registry;
    StepTimeline& m_timeline;
    QComboBox* m_presets;
    QPlainTextEdit* m_text;
    QPushButton* m_probe;
    QCheckBox* m_follow;
    QLabel* m_checkpoint;
    QLabel* m_input;
    QLabel* m_message;
    ProbeResultView* m_result;
    TextProbeRunner* m_runner;
    int m_presetRun = -1; // the run the presets were written for
    QString m_autoText;   // the preset text the panel filled in itself (replaced when the run changes)
    bool m_presetsHaveRecorded = false;     // they include its recorded probe text
    int m_shownRun = 0;                     // the run of the result on screen
    int m_followRun = 0, m_followStep = -1; // the last probe asked for: run and expected checkpoint
    bool m_canProbe = false;                // the text encodes for the selected run
    mutable ImportedTokenizer m_imported;   // an imported run's tokenizer.json, read once
};

} // namespace attnscope::gui
