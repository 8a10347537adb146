#pragma once
// FolderBrowserModel: the entries of one folder, for the model dialog's own folder browser
// (ui/dialogs/ModelFolderBrowser.qml). Qt Quick's FolderDialog, which the app used before, can only
// choose a folder selected inside the one shown, so a user who opened the model's own folder (a
// checkpoint has no subfolders) found "Choose" disabled there. This model lists folders and files
// (files for orientation: config.json and the *.safetensors say "this is the model"), marks the
// folders that hold a config.json (and the Hugging Face cache's models--org--name folders whose
// snapshot does), and says whether the folder shown holds one itself.
//
// The app's own file chooser (ui/dialogs/FileChooserDialog.qml: files to add to a message,
// exports to import) lists through it too: Qt Quick's non-native FileDialog, which desktops
// without a native one get (Debian's GNOME and Plasma 5 among them), selects one file at a time
// even in its OpenFiles mode. Here the files of the folder shown can be selected several at once
// (select, toggle, selectRange, selectAllFiles; folders never are), and fileSuffixes limits the
// files listed (a filter such as "Chat exports (*.json)").
//
// Listing runs on a thread of its own: a folder on a slow or hung network share must not freeze
// the window. A request supersedes the ones before it; `folder` changes only once a listing
// succeeds, so a path that cannot be opened leaves the folder shown as it was, with `error` set.
#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QVariantList>
#include <memory>
#include <vector>

class FolderBrowserModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QString folder READ folder NOTIFY folderChanged)
  Q_PROPERTY(QString parentFolder READ parentFolder NOTIFY folderChanged)
  Q_PROPERTY(bool holdsModel READ holdsModel NOTIFY folderChanged)  // the folder shown has config.json
  Q_PROPERTY(bool truncated READ truncated NOTIFY folderChanged)    // more entries than maxEntries
  Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
  Q_PROPERTY(QString error READ error NOTIFY errorChanged)  // why the last request failed; "" after a success
  Q_PROPERTY(bool showHidden READ showHidden WRITE setShowHidden NOTIFY showHiddenChanged)
  Q_PROPERTY(int maxEntries READ maxEntries WRITE setMaxEntries NOTIFY maxEntriesChanged)
  Q_PROPERTY(int count READ count NOTIFY folderChanged)
  // Files listed: those whose name ends in "." + one of these (case-blind); empty: every file.
  // Folders are always listed.
  Q_PROPERTY(QStringList fileSuffixes READ fileSuffixes WRITE setFileSuffixes NOTIFY fileSuffixesChanged)
  // The files selected in the folder shown, in the listing's order; a new listing clears them.
  Q_PROPERTY(QStringList selectedPaths READ selectedPaths NOTIFY selectionChanged)
  Q_PROPERTY(int selectedCount READ selectedCount NOTIFY selectionChanged)

 public:
  enum Roles {
    NameRole = Qt::UserRole + 1,
    PathRole,
    IsDirRole,
    SizeRole,
    SizeTextRole,
    IsModelRole,
    SelectedRole
  };

  struct Entry {
    QString name, path;
    bool is_dir = false;
    bool is_model =
        false;        // a folder with a config.json, or a hub cache repository with a snapshot that has one
    qint64 size = 0;  // files only
    bool selected = false;  // files only
  };
  // What one listing found (run on the lister's thread; public for the tests).
  enum class Problem { None, Missing, Unreadable };
  struct Listing {
    QString folder;                   // absolute, clean
    Problem problem = Problem::None;  // worded on the interface's thread (problemText)
    bool holds_model = false, truncated = false;
    std::vector<Entry> entries;  // folders first, then files; each in natural, case-blind order
  };
  // suffixes: as fileSuffixes (lower case, without the dot); empty lists every file.
  static Listing list(const QString& folder, bool show_hidden, int max_entries,
                      const QStringList& suffixes = {});
  // What a listing's problem says, the folder in the interface's direction (call on its thread).
  static QString problemText(Problem problem, const QString& folder);
  // <0, 0, >0 as a sorts before, with or after b: digit runs by value, the rest case-blind.
  static int natural_compare(const QString& a, const QString& b);

  explicit FolderBrowserModel(QObject* parent = nullptr);
  ~FolderBrowserModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  QString folder() const { return folder_; }
  QString parentFolder() const;
  bool holdsModel() const { return holds_model_; }
  bool truncated() const { return truncated_; }
  bool loading() const { return pending_ != 0; }
  QString error() const { return error_; }
  bool showHidden() const { return show_hidden_; }
  void setShowHidden(bool on);
  int maxEntries() const { return max_entries_; }
  void setMaxEntries(int n);
  int count() const { return int(entries_.size()); }
  QStringList fileSuffixes() const { return suffixes_; }
  void setFileSuffixes(const QStringList& suffixes);
  QStringList selectedPaths() const;
  int selectedCount() const;

  // Selection of the files listed (a folder's row is never selected; rows out of range are
  // ignored). select: only `row` (none if it is a folder); toggle: `row` in or out, the others
  // kept; selectRange: the files from `from` to `to` (either order), added to the selection when
  // `add`, else instead of it.
  Q_INVOKABLE void select(int row);
  Q_INVOKABLE void toggle(int row);
  Q_INVOKABLE void selectRange(int from, int to, bool add = false);
  Q_INVOKABLE void selectAllFiles();
  Q_INVOKABLE void clearSelection();

  // Asks for `path` (see resolve) to be shown; the listing arrives later (loading, then folder or
  // error). The same folder again re-reads it.
  Q_INVOKABLE void open(const QString& path);
  Q_INVOKABLE void goUp();
  // What the user typed or a URL, as an absolute clean path: "~" and "~/…" are the home folder,
  // file:// URLs their local path, a relative path is taken from the folder shown. "" for "".
  Q_INVOKABLE QString resolve(const QString& typed) const;
  // Places to start from that exist here: [{label, path}] - home, the Hugging Face hub cache
  // (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub), Documents, Downloads.
  Q_INVOKABLE static QVariantList places();

 signals:
  void folderChanged();
  void loadingChanged();
  void errorChanged();
  void showHiddenChanged();
  void maxEntriesChanged();
  void fileSuffixesChanged();
  void selectionChanged();

 private:
  struct Mailbox;  // how a lister's thread reaches this object while it lives
  void apply(quint64 request, Listing listing);
  bool is_file(int row) const;
  // Sets the rows' selection to want(row) for rows in [first, last], announcing the changes.
  template <typename Want>
  void set_selected(int first, int last, Want want);

  std::shared_ptr<Mailbox> mailbox_;
  std::vector<Entry> entries_;
  QString folder_, error_;
  QStringList suffixes_;
  bool holds_model_ = false, truncated_ = false, show_hidden_ = false;
  int max_entries_ = 5000;
  quint64 requests_ = 0;  // the last request's number
  quint64 pending_ = 0;   // the request being listed, 0 when none
};
