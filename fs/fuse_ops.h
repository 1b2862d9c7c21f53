// fuse_ops: the low-level callbacks FuseAdapter::operations() puts in its table, grouped by
// file: names (fuse_ops_entry.cpp), file data (fuse_ops_file.cpp), directories and statfs
// (fuse_ops_dir.cpp), extended attributes (fuse_ops_xattr.cpp). Internal to fs/.
// Each runs on a libfuse worker thread, inside guarded() (fuse_request.h).
#pragma once

#include "fs/fuse_api.h"

namespace autosync::fs::ops {

void init(void* userdata, fuse_conn_info* conn);

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
void forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets);
void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
void readlink(fuse_req_t req, fuse_ino_t ino);
void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
void unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
void symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name);
void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
            const char* new_name, unsigned int flags);
void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name);
void access(fuse_req_t req, fuse_ino_t ino, int mask);

void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
           fuse_file_info* fi);
void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);

void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void statfs(fuse_req_t req, fuse_ino_t ino);

void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags);
void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name);

}  // namespace autosync::fs::ops
