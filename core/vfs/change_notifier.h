// ChangeNotifier: the doorbell the Vfs rings after committing journal rows, so the sync
// daemon picks the work up now rather than on its next rescan. A lost ring only delays work
// (the journal is the ledger). syncd supplies the real one; tests count rings.
// Threading: journal_ready() may be called from any FUSE worker thread at once.
#pragma once

namespace autosync::vfs {

class ChangeNotifier {
 public:
  virtual ~ChangeNotifier() = default;
  virtual void journal_ready() = 0;
};

}  // namespace autosync::vfs
