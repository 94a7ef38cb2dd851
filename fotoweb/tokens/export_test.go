package tokens

// NewFileStoreWithHook returns a FileStore that calls beforeRename after
// writing and syncing its temporary file, just before the rename: a
// returned error simulates a crash at that point.
func NewFileStoreWithHook(path string, beforeRename func(tmp string) error) *FileStore {
	return &FileStore{Path: path, beforeRename: beforeRename}
}
