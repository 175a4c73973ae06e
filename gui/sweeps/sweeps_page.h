#pragma once
// "Sweeps" page: one sweep folder (made by `attnscope-cli sweep` or started here) as Wortsman et al.'s
// LR-sensitivity plot — final loss and max logit against LR, one line per variant, seeds as a band — above a
// sortable results table with each variant's LR sensitivity. The folder is read off the GUI thread and
// followed while cells train (here or in another process): "k of n cells done". New sweep… runs core's
// SweepRunner on a worker thread with progress and Stop; Resume continues a partial folder.
#include "gui/sweeps/sweep_folder.h"

#include <QWidget>
#include <functional>
#include <memory>

class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace attnscope {
struct SweepProgress;
}

namespace attnscope::gui {

class NewSweepDialog;
class SweepCharts;
class SweepFollower;
class SweepJob;
class SweepTableModel;

class SweepsPage : public QWidget {
    Q_OBJECT
public:
    explicit SweepsPage(QWidget* parent = nullptr);

    void openFolder(const QString& folder); // reads it (asynchronously: loaded() follows) and follows it
    void openDialog();                      // File › Open sweep…
    void newSweep();                        // the New-sweep dialog, then start()
    // Starts `dialog`'s sweep (after it was accepted); false with the message shown when it cannot start.
    bool start(const NewSweepDialog& dialog);
    void resume(); // the open folder's sweep, continued
    void stop();
    // The open sweep's LR-sensitivity figure (figures/sweep_figure.h) at `path` (.pdf/.svg/.png) with its
    // .csv side-car, as `attnscope-cli plot --view lr-sensitivity FOLDER` draws it. False with `error` set
    // when there is nothing to draw.
    bool exportFigure(const QString& path, QString* error);
    // File › Export figure… and the charts' context menu on this page: asks for a file, then exportFigure().
    Q_INVOKABLE void promptExportFigure();

    std::shared_ptr<const SweepData> data() const { return m_data; }
    SweepCharts* charts() const { return m_charts; }
    SweepTableModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    QLabel* progressLabel() const { return m_progressText; }
    SweepJob* job() const { return m_job; }
    SweepFollower* follower() const { return m_follower; }
    // Tests replace the dialog: called with the dialog before exec(); return true to accept it as set up.
    std::function<bool(NewSweepDialog&)> runDialog;

protected:
    void resizeEvent(QResizeEvent* event) override;

signals:
    void loaded();                              // a read of the folder was shown
    void openRunRequested(const QString& path); // double-click on a row whose run file exists
    void message(const QString& text);

private:
    void showData(std::shared_ptr<const SweepData> data);
    void showProgress();
    void jobProgress(const attnscope::SweepProgress& p);
    void jobFinished(const attnscope::SweepProgress& p, const QString& error);
    void activated(const QModelIndex& proxyIndex);

    std::shared_ptr<const SweepData> m_data;
    SweepFollower* m_follower;
    SweepJob* m_job;
    SweepCharts* m_charts;
    SweepTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QLabel* m_title;
    QLabel* m_progressText;
    QLabel* m_sensitivity;
    QProgressBar* m_progress;
    QPushButton* m_resume;
    QPushButton* m_stop;
    QCheckBox* m_perCell;
};

} // namespace attnscope::gui
