#pragma once
// Which sidebar section a conversation belongs to, by its last activity in local time.
#include <QDateTime>
#include <QString>

enum class DateGroup { Pinned, Today, Yesterday, Previous7Days, Older };

// Calendar days in the local time zone, so "Yesterday" means the day before today on the
// user's clock (a chat at 23:59 yesterday is not "Today" just because it was < 24 h ago).
DateGroup date_group(qint64 updated_ms, bool pinned, const QDateTime& now);
QString date_group_title(DateGroup group);  // translated
