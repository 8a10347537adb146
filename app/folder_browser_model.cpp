#include "app/folder_browser_model.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QUrl>
#include <algorithm>
#include <mutex>
#include <system_error>
#include <thread>

#include "app/bidi.h"

// The lister's threads post their result through this while the model lives; the model's
// destructor clears `owner` under the lock, so a thread never posts to a destroyed object (and Qt
// drops an event posted before the destruction but not yet delivered).
struct FolderBrowserModel::Mailbox {
  std::mutex mutex;
  FolderBrowserModel* owner = nullptr;
  int outstanding = 0;  // listings not yet returned (a hung share keeps its thread)
};

namespace {
// Listings still blocked after this many (each on a folder that does not answer) refuse new ones
// rather than pile up threads.
constexpr int kMaxOutstanding = 8;

bool has_config(const QString& dir) {
  return QFileInfo(dir + QStringLiteral("/config.json")).isFile();
}

// A folder to mark as a model: it has a config.json, or it is a Hugging Face hub cache repository
// (models--org--name) with a snapshot that has one (choosing it, the model dialog offers the
// snapshot's folder).
bool is_model_folder(const QString& dir, const QString& name) {
  if (has_config(dir)) return true;
  if (!name.startsWith(QLatin1String("models--"))) return false;
  QDirIterator snapshots(dir + QStringLiteral("/snapshots"), QDir::Dirs | QDir::NoDotAndDotDot);
  for (int seen = 0; snapshots.hasNext() && seen < 16; ++seen)
    if (has_config(snapshots.next())) return true;
  return false;
}
}  // namespace

FolderBrowserModel::FolderBrowserModel(QObject* parent)
    : QAbstractListModel(parent), mailbox_(std::make_shared<Mailbox>()) {
  mailbox_->owner = this;
}

FolderBrowserModel::~FolderBrowserModel() {
  const std::lock_guard<std::mutex> lock(mailbox_->mutex);
  mailbox_->owner = nullptr;
}

QString FolderBrowserModel::problemText(Problem problem, const QString& folder) {
  switch (problem) {
    case Problem::Missing:
      return tr("%1 does not exist.").arg(bidi::isolated(folder));
    case Problem::Unreadable:
      return tr("%1 cannot be read (no permission).").arg(bidi::isolated(folder));
    case Problem::None:
      break;
  }
  return {};
}

FolderBrowserModel::Listing FolderBrowserModel::list(const QString& folder, bool show_hidden, int max_entries,
                                                     const QStringList& suffixes) {
  Listing out;
  out.folder = QDir::cleanPath(QDir(folder).absolutePath());
  QFileInfo info(out.folder);
  if (!info.exists()) {
    out.problem = Problem::Missing;
    return out;
  }
  if (!info.isDir()) {  // a file typed or pasted (a model's config.json, a shard): its folder
    out.folder = info.absolutePath();
    info = QFileInfo(out.folder);
  }
  if (!info.isReadable() || !info.isExecutable()) {
    out.problem = Problem::Unreadable;
    return out;
  }
  QDir::Filters filters = QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System;
  if (show_hidden) filters |= QDir::Hidden;
  QDirIterator it(out.folder, filters);
  const auto wanted = [&suffixes](const QString& name) {
    if (suffixes.isEmpty()) return true;
    return std::any_of(suffixes.begin(), suffixes.end(), [&name](const QString& s) {
      return name.size() >= s.size() + 1 && name.endsWith(s, Qt::CaseInsensitive) &&
             name[name.size() - s.size() - 1] == u'.';
    });
  };
  while (it.hasNext()) {
    it.next();
    const QFileInfo f = it.fileInfo();
    if (!f.isDir() && !wanted(f.fileName())) continue;
    if (int(out.entries.size()) >= max_entries) {
      out.truncated = true;
      break;
    }
    Entry e;
    e.name = f.fileName();
    e.path = f.absoluteFilePath();
    e.is_dir = f.isDir();
    if (e.is_dir)
      e.is_model = is_model_folder(e.path, e.name);
    else
      e.size = f.size();
    out.entries.push_back(std::move(e));
  }
  out.holds_model = has_config(out.folder);
  std::stable_sort(out.entries.begin(), out.entries.end(), [](const Entry& a, const Entry& b) {
    if (a.is_dir != b.is_dir) return a.is_dir;
    const int c = natural_compare(a.name, b.name);
    return c != 0 ? c < 0 : a.name < b.name;  // a fixed order for names equal but for case
  });
  return out;
}

// Runs of digits compare as numbers (falcon-7b before falcon-40b), the rest case-blind. Not
// QCollator's numeric mode: without ICU (and in the C locale) it compares digits as text.
int FolderBrowserModel::natural_compare(const QString& a, const QString& b) {
  qsizetype i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].isDigit() && b[j].isDigit()) {
      qsizetype ie = i, je = j;
      while (ie < a.size() && a[ie].isDigit()) ++ie;
      while (je < b.size() && b[je].isDigit()) ++je;
      qsizetype is = i, js = j;  // leading zeros do not count
      while (is + 1 < ie && a[is] == u'0') ++is;
      while (js + 1 < je && b[js] == u'0') ++js;
      if (ie - is != je - js) return ie - is < je - js ? -1 : 1;
      if (const int c = QStringView(a).sliced(is, ie - is).compare(QStringView(b).sliced(js, je - js));
          c != 0)
        return c;
      i = ie;
      j = je;
      continue;
    }
    const int c = QStringView(a).sliced(i, 1).compare(QStringView(b).sliced(j, 1), Qt::CaseInsensitive);
    if (c != 0) return c;
    ++i;
    ++j;
  }
  return (a.size() - i > 0) - (b.size() - j > 0);
}

int FolderBrowserModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(entries_.size());
}

QVariant FolderBrowserModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= int(entries_.size())) return {};
  const Entry& e = entries_[size_t(index.row())];
  switch (role) {
    case NameRole:
    case Qt::DisplayRole:
      return e.name;
    case PathRole:
      return e.path;
    case IsDirRole:
      return e.is_dir;
    case SizeRole:
      return e.size;
    case SizeTextRole:
      return e.is_dir ? QString() : QLocale().formattedDataSize(e.size);
    case IsModelRole:
      return e.is_model;
    case SelectedRole:
      return e.selected;
    default:
      return {};
  }
}

QHash<int, QByteArray> FolderBrowserModel::roleNames() const {
  return {{NameRole, "name"},         {PathRole, "path"},       {IsDirRole, "isDir"},      {SizeRole, "size"},
          {SizeTextRole, "sizeText"}, {IsModelRole, "isModel"}, {SelectedRole, "selected"}};
}

void FolderBrowserModel::setFileSuffixes(const QStringList& suffixes) {
  QStringList clean;
  for (QString s : suffixes) {
    s = s.trimmed().toLower();
    while (s.startsWith(u'.') || s.startsWith(u'*')) s.remove(0, 1);
    if (!s.isEmpty() && !clean.contains(s)) clean << s;
  }
  if (clean == suffixes_) return;
  suffixes_ = clean;
  emit fileSuffixesChanged();
  if (!folder_.isEmpty()) open(folder_);
}

QStringList FolderBrowserModel::selectedPaths() const {
  QStringList out;
  for (const Entry& e : entries_)
    if (e.selected) out << e.path;
  return out;
}

int FolderBrowserModel::selectedCount() const {
  return int(std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.selected; }));
}

bool FolderBrowserModel::is_file(int row) const {
  return row >= 0 && row < int(entries_.size()) && !entries_[size_t(row)].is_dir;
}

template <typename Want>
void FolderBrowserModel::set_selected(int first, int last, Want want) {
  first = std::max(first, 0);
  last = std::min(last, int(entries_.size()) - 1);
  bool changed = false;
  for (int row = first; row <= last; ++row) {
    Entry& e = entries_[size_t(row)];
    const bool on = !e.is_dir && want(row);
    if (on == e.selected) continue;
    e.selected = on;
    changed = true;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {SelectedRole});
  }
  if (changed) emit selectionChanged();
}

void FolderBrowserModel::select(int row) {
  set_selected(0, int(entries_.size()) - 1, [row](int r) { return r == row; });
}

void FolderBrowserModel::toggle(int row) {
  if (!is_file(row)) return;
  const bool on = !entries_[size_t(row)].selected;
  set_selected(row, row, [on](int) { return on; });
}

void FolderBrowserModel::selectRange(int from, int to, bool add) {
  const int lo = std::min(from, to), hi = std::max(from, to);
  set_selected(0, int(entries_.size()) - 1,
               [&](int r) { return (r >= lo && r <= hi) || (add && entries_[size_t(r)].selected); });
}

void FolderBrowserModel::selectAllFiles() {
  set_selected(0, int(entries_.size()) - 1, [](int) { return true; });
}

void FolderBrowserModel::clearSelection() {
  set_selected(0, int(entries_.size()) - 1, [](int) { return false; });
}

QString FolderBrowserModel::parentFolder() const {
  if (folder_.isEmpty() || folder_ == QLatin1String("/")) return {};
  return QDir::cleanPath(folder_ + QStringLiteral("/.."));
}

void FolderBrowserModel::setShowHidden(bool on) {
  if (on == show_hidden_) return;
  show_hidden_ = on;
  emit showHiddenChanged();
  if (!folder_.isEmpty()) open(folder_);
}

void FolderBrowserModel::setMaxEntries(int n) {
  n = std::max(1, n);
  if (n == max_entries_) return;
  max_entries_ = n;
  emit maxEntriesChanged();
  if (!folder_.isEmpty()) open(folder_);
}

QString FolderBrowserModel::resolve(const QString& typed) const {
  QString t = typed.trimmed();
  if (t.isEmpty()) return {};
  if (t.startsWith(QLatin1String("file:"))) t = QUrl(t).toLocalFile();
  if (t == QLatin1String("~"))
    t = QDir::homePath();
  else if (t.startsWith(QLatin1String("~/")))
    t = QDir::homePath() + t.mid(1);
  if (QDir::isRelativePath(t)) t = QDir(folder_.isEmpty() ? QDir::homePath() : folder_).filePath(t);
  return QDir::cleanPath(t);
}

void FolderBrowserModel::open(const QString& path) {
  const QString folder = resolve(path);
  if (folder.isEmpty()) return;
  const bool was_loading = loading();
  {
    const std::lock_guard<std::mutex> lock(mailbox_->mutex);
    if (mailbox_->outstanding >= kMaxOutstanding) {
      error_ = tr("Folders asked for earlier have not answered yet (a network share?); try again later.");
      emit errorChanged();
      return;
    }
    ++mailbox_->outstanding;
  }
  const quint64 request = ++requests_;
  try {
    std::thread([mailbox = mailbox_, folder, hidden = show_hidden_, max = max_entries_, suffixes = suffixes_,
                 request] {
      Listing listing = list(folder, hidden, max, suffixes);
      const std::lock_guard<std::mutex> lock(mailbox->mutex);
      --mailbox->outstanding;
      if (FolderBrowserModel* owner = mailbox->owner)
        QMetaObject::invokeMethod(
            owner,
            [owner, request, l = std::move(listing)]() mutable { owner->apply(request, std::move(l)); },
            Qt::QueuedConnection);
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had: say so, as for a folder that fails
    {
      const std::lock_guard<std::mutex> lock(mailbox_->mutex);
      --mailbox_->outstanding;
    }
    pending_ = 0;
    error_ = tr("The folder could not be read now (the system refused a thread); try again.");
    emit errorChanged();
    if (was_loading) emit loadingChanged();
    return;
  }
  pending_ = request;
  if (!was_loading) emit loadingChanged();
}

void FolderBrowserModel::goUp() {
  const QString up = parentFolder();
  if (!up.isEmpty()) open(up);
}

void FolderBrowserModel::apply(quint64 request, Listing listing) {
  if (request != requests_) return;  // a later request supersedes this one
  pending_ = 0;
  if (listing.problem != Problem::None) {
    error_ = problemText(listing.problem, listing.folder);
    emit errorChanged();
    emit loadingChanged();
    return;
  }
  const bool had_selection = selectedCount() > 0;
  beginResetModel();
  entries_ = std::move(listing.entries);
  folder_ = listing.folder;
  holds_model_ = listing.holds_model;
  truncated_ = listing.truncated;
  endResetModel();
  const bool had_error = !error_.isEmpty();
  error_.clear();
  emit folderChanged();
  if (had_selection) emit selectionChanged();
  if (had_error) emit errorChanged();
  emit loadingChanged();
}

QVariantList FolderBrowserModel::places() {
  QVariantList out;
  QStringList seen;
  const auto add = [&](const QString& label, const QString& path) {
    if (path.isEmpty()) return;
    const QString clean = QDir::cleanPath(path);
    if (seen.contains(clean) || !QFileInfo(clean).isDir()) return;
    seen << clean;
    out.append(QVariantMap{{QStringLiteral("label"), label}, {QStringLiteral("path"), clean}});
  };
  add(tr("Home"), QDir::homePath());
  // Where Hugging Face's tools download models (huggingface_hub's own order of settings).
  QString hub = qEnvironmentVariable("HF_HUB_CACHE");
  if (hub.isEmpty() && qEnvironmentVariableIsSet("HF_HOME")) hub = qEnvironmentVariable("HF_HOME") + "/hub";
  if (hub.isEmpty()) {
    const QString xdg = qEnvironmentVariable("XDG_CACHE_HOME");
    hub = (xdg.isEmpty() ? QDir::homePath() + "/.cache" : xdg) + "/huggingface/hub";
  }
  add(tr("Hugging Face cache"), hub);
  add(tr("Documents"), QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
  add(tr("Downloads"), QStandardPaths::writableLocation(QStandardPaths::DownloadLocation));
  return out;
}
