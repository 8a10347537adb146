#include "app/app_info.h"

#include "core/common/build_info.h"
#include "core/common/version.h"

QString AppInfo::version() const {
  return QString::fromUtf8(falcon::build::kVersion);
}
bool AppInfo::cudaBuilt() const {
  return falcon::build::kHaveCuda;
}
QString AppInfo::buildFeatures() const {
  return QString::fromStdString(falcon::version_banner("falcon-chat")).trimmed();
}
