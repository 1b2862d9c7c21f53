#include "fs/fuse_adapter.h"

#include <spdlog/spdlog.h>

#include "fs/fuse_ops.h"

namespace autosync::fs {
namespace ops {

// No request to answer and nothing here can throw, so init runs outside the guard.
void init(void* userdata, fuse_conn_info* conn) {
  auto& adapter = *static_cast<FuseAdapter*>(userdata);
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_EXPORT_SUPPORT);
  const bool writeback =
      adapter.options().writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE) != 0;
  if (writeback) conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  adapter.set_writeback_cache_active(writeback);
  conn->max_write = adapter.options().max_write;
  spdlog::debug("fuse init: protocol {}.{}, writeback cache {}, max_write {}", conn->proto_major,
                conn->proto_minor, writeback ? "on" : "off", conn->max_write);
}

}  // namespace ops

namespace {

fuse_lowlevel_ops make_operations() {
  fuse_lowlevel_ops table{};
  table.init = ops::init;
  table.lookup = ops::lookup;
  table.forget = ops::forget;
  table.forget_multi = ops::forget_multi;
  table.getattr = ops::getattr;
  table.setattr = ops::setattr;
  table.readlink = ops::readlink;
  table.mknod = ops::mknod;
  table.mkdir = ops::mkdir;
  table.unlink = ops::unlink;
  table.rmdir = ops::rmdir;
  table.symlink = ops::symlink;
  table.rename = ops::rename;
  table.link = ops::link;
  table.access = ops::access;
  table.create = ops::create;
  table.open = ops::open;
  table.read = ops::read;
  table.write = ops::write;
  // No flush: it has nothing to do (uploads are journaled at the last release, and the
  // kernel writes its cached pages back at close whether or not FLUSH is implemented), and
  // the first ENOSYS stops the kernel sending one per close(2).
  table.release = ops::release;
  table.fsync = ops::fsync;
  table.opendir = ops::opendir;
  table.readdir = ops::readdir;
  table.readdirplus = ops::readdirplus;
  table.releasedir = ops::releasedir;
  table.statfs = ops::statfs;
  table.setxattr = ops::setxattr;
  table.getxattr = ops::getxattr;
  table.listxattr = ops::listxattr;
  table.removexattr = ops::removexattr;
  return table;
}

}  // namespace

const fuse_lowlevel_ops& FuseAdapter::operations() {
  static const fuse_lowlevel_ops kOperations = make_operations();
  return kOperations;
}

}  // namespace autosync::fs
