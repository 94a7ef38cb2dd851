package urltoken

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fotoembed/fotoembed/fotoweb"
)

// ReadOnlyClient is what CheckReadOnly needs from FotoWeb; *fotoweb.Client
// has it.
type ReadOnlyClient interface {
	// Descriptor returns the full API descriptor of the token's user.
	Descriptor(ctx context.Context) (*fotoweb.Descriptor, error)
	// Archives lists the archives the token sees.
	Archives(ctx context.Context) ([]fotoweb.Collection, error)
}

// writePermissions are the archive and asset permissions that change
// assets, their metadata or their place: a user holding any of them is not
// read-only. (View, Preview, Download, Order, Export, CropAndDownload,
// Comping, Alert, HistoryView and the like only read or publish.)
var writePermissions = []string{
	"EditText", "Workflow", "CropRotate", "Delete", "MoveTo", "MoveFrom", "CopyTo", "Rename",
	"EditFile", "CropFile", "UploadFile", "DuplicateFile", "MngVideo", "EditSmartFolders",
	"HistoryManage", "HistoryRollback",
}

// WritableError lists what the token's user could change.
type WritableError struct {
	// User is the user's name, when FotoWeb said.
	User string
	// Rights are the rights found, such as "site: manage settings" or
	// "archive Photos: EditText".
	Rights []string
}

// Error summarises the rights.
func (e *WritableError) Error() string {
	who := "the token's user"
	if e.User != "" {
		who = "FotoWeb user " + e.User
	}
	r := e.Rights
	more := ""
	if len(r) > 8 {
		r, more = r[:8], fmt.Sprintf(" and %d more", len(e.Rights)-8)
	}
	return fmt.Sprintf("urltoken: %s is not read-only: %s%s", who, strings.Join(r, "; "), more)
}

// CheckReadOnly asks FotoWeb what the token's user may do: the API
// descriptor's site-wide permissions and, for every archive it sees, the
// archive's permissions and capability flags. It returns a
// *WritableError listing every right to change assets, metadata or
// settings, nil for a read-only user, or another error when FotoWeb could
// not tell.
func CheckReadOnly(ctx context.Context, c ReadOnlyClient) error {
	d, err := c.Descriptor(ctx)
	if err != nil {
		return fmt.Errorf("urltoken: reading the API descriptor: %w", err)
	}
	we := &WritableError{}
	if d.User != nil {
		we.User = d.User.UserName
	}
	if d.Permissions.HasManageSettingsPermission {
		we.Rights = append(we.Rights, "site: manage settings")
	}
	if d.Permissions.CanManageExports {
		we.Rights = append(we.Rights, "site: manage (revoke) exports")
	}
	archives, err := c.Archives(ctx)
	if err != nil {
		return fmt.Errorf("urltoken: listing archives: %w", err)
	}
	for _, a := range archives {
		var rights []string
		for _, p := range a.Permissions {
			if slices.Contains(writePermissions, p) {
				rights = append(rights, p)
			}
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{a.CanUploadTo, "upload to"}, {a.CanCopyTo, "copy to"}, {a.CanMoveTo, "move to"},
			{a.CanCreateFolders, "create folders"}, {a.CanBeDeleted, "delete"}} {
			if f.on {
				rights = append(rights, f.name)
			}
		}
		if len(rights) > 0 {
			we.Rights = append(we.Rights, "archive "+a.Name+": "+strings.Join(rights, ", "))
		}
	}
	if len(we.Rights) > 0 {
		return we
	}
	return nil
}
