#include "app/date_group.h"

#include <QCoreApplication>

DateGroup date_group(qint64 updated_ms, bool pinned, const QDateTime& now) {
  if (pinned) return DateGroup::Pinned;
  const QDate day = QDateTime::fromMSecsSinceEpoch(updated_ms).toLocalTime().date();
  const qint64 days = day.daysTo(now.toLocalTime().date());
  if (days <= 0) return DateGroup::Today;  // today, or a clock set back: still the newest
  if (days == 1) return DateGroup::Yesterday;
  if (days <= 7) return DateGroup::Previous7Days;
  return DateGroup::Older;
}

QString date_group_title(DateGroup group) {
  switch (group) {
    case DateGroup::Pinned:
      return QCoreApplication::translate("DateGroup", "Pinned");
    case DateGroup::Today:
      return QCoreApplication::translate("DateGroup", "Today");
    case DateGroup::Yesterday:
      return QCoreApplication::translate("DateGroup", "Yesterday");
    case DateGroup::Previous7Days:
      return QCoreApplication::translate("DateGroup", "Previous 7 days");
    case DateGroup::Older:
      return QCoreApplication::translate("DateGroup", "Older");
  }
  return {};
}
