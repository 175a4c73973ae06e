#pragma once
// The New-run panel: a preset, then every field of RunSpec (model and mechanisms, optimisation, data,
// recording), validated inline with RunSpec::validate() — problems are listed and Start is disabled until
// they are fixed. Start trains one run; "A/B" trains two that differ only in one chosen toggle.
#include "core/train/run_spec.h"

#include <QStringList>
#include <QWidget>
#include <vector>

class QComboBox;
class QScrollArea;
class QLabel;
class QLineEdit;
class QPushButton;

namespace attnscope::gui {

class DataForm;
class ModelForm;
class SessionManager;
class TrainForm;
struct PresetEntry;

class NewRunPanel : public QWidget {
    Q_OBJECT
public:
    explicit NewRunPanel(SessionManager& sessions, QWidget* parent = nullptr);
    ~NewRunPanel() override;

    RunSpec spec() const; // what Start would train
    void setSpec(const RunSpec& spec);
    void selectPreset(int index);                       // index into the preset list (index 0 is the default)
    QStringList problems() const { return m_problems; } // empty when the spec is valid
    QString message() const;                            // the text shown under the form

    // Return the new run id(s), 0 when refused (the reason is shown in the panel).
    int start();
    std::pair<int, int> startAb();
    // The selected preset's whole paired experiment (every preset sharing its experiment name).
    std::vector<int> startExperiment();

signals:
    void runsStarted(const QList<int>& runIds);

protected:
    void changeEvent(QEvent* event) override;

private:
    void fitFormsWidth();

    void revalidate();
    void showMessage(const QString& text, bool error);

    SessionManager& m_sessions;
    std::vector<PresetEntry> m_presets;
    RunSpec m_base; // the preset's spec: fields the form does not show (preset name) come from here
    QComboBox* m_preset;
    QLabel* m_presetInfo;
    QLineEdit* m_name;
    QLineEdit* m_description;
    ModelForm* m_model;
    TrainForm* m_train;
    DataForm* m_data;
    QScrollArea* m_formsArea;
    QLabel* m_message;
    QPushButton* m_start;
    QComboBox* m_abToggle;
    QPushButton* m_startAb;
    QPushButton* m_startExperiment;
    QString m_experiment;
    QStringList m_problems;
};

} // namespace attnscope::gui
