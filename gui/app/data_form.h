#pragma once
// New-run form for DataConfig: corpus (Debian fortunes, a text file) or a synthetic task (with the
// Bigram-Backcopy task's triggers), BOS and BOS-aligned sequences, the validation split and an optional
// custom probe text.
#include "core/train/train_config.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace attnscope::gui {

class DataForm : public QWidget {
    Q_OBJECT
public:
    explicit DataForm(QWidget* parent = nullptr);
    void setConfig(const DataConfig& config);
    void apply(DataConfig& config) const;

signals:
    void edited();

private:
    void updateEnabled();
    void browse();

    QComboBox *m_source, *m_task;
    QLineEdit* m_path;
    QToolButton* m_browse;
    QSpinBox *m_alphabet, *m_localK, *m_triggers;
    QCheckBox *m_bos, *m_bosAligned;
    QDoubleSpinBox* m_valFraction;
    QLineEdit* m_probeText;
};

} // namespace attnscope::gui
