#pragma once
// "New sweep…": one of core's sweep presets (lr-sensitivity, value-residual-seeds) with its variants, LR
// grid, seeds and steps per cell adjustable, the output folder, and how many cells train at once with how
// many threads each. When the folder already holds a sweep that is not finished, the dialog says how far it
// got and offers to resume it instead (the settings are then the folder's own).
#include "core/sweep/sweep_runner.h"
#include "gui/sweeps/sweep_request.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace attnscope::gui {

class NewSweepDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewSweepDialog(QWidget* parent = nullptr, const QString& defaultFolder = {});

    // After accept(): the sweep to run (the folder's manifest when resuming), where, and how.
    const SweepSpec& spec() const { return m_spec; }
    QString folder() const;
    SweepOptions options() const;
    bool resuming() const { return m_resume; }
    // Extra RunSpec JSON merged into every cell (tests use a tiny model).
    void setOverlay(const nlohmann::json& overlay) { m_overlay = overlay; }

    QComboBox* presetBox() const { return m_preset; }
    QListWidget* variantList() const { return m_variants; }
    QLineEdit* lrEdit() const { return m_lrs; }
    QSpinBox* seedsBox() const { return m_seeds; }
    QSpinBox* stepsBox() const { return m_steps; }
    QLineEdit* folderEdit() const { return m_folder; }
    QSpinBox* parallelBox() const { return m_parallel; }
    QSpinBox* threadsBox() const { return m_threads; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* resumeButton() const { return m_resumeButton; }
    QLabel* message() const { return m_message; }

private:
    void presetChanged();
    void folderChanged();
    void updateCount();
    void startNew();
    void resume();

    QComboBox* m_preset;
    QLabel* m_description;
    QListWidget* m_variants;
    QLineEdit* m_lrs;
    QSpinBox* m_seeds;
    QSpinBox* m_steps;
    QLineEdit* m_folder;
    QSpinBox* m_parallel;
    QSpinBox* m_threads;
    QLabel* m_count;
    QLabel* m_existing;
    QLabel* m_message;
    QPushButton* m_start;
    QPushButton* m_resumeButton;
    SweepSpec m_spec;
    bool m_resume = false;
    nlohmann::json m_overlay;
    QString m_defaultFolder;
};

} // namespace attnscope::gui
