package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ErrUnknownGroup is returned when a group named in a membership change
// is not one of the world's groups.
var ErrUnknownGroup = errors.New("sandbox: unknown group")

// findUser finds a user by username (case-insensitive), object ID, or the
// part of the username before the @ ("alice").
func (s *Sandbox) findUser(name string) (User, bool) {
	if u, ok := s.world.User(name); ok {
		return u, true
	}
	if !strings.Contains(name, "@") {
		for _, u := range s.world.Users {
			if local, _, _ := strings.Cut(u.Username, "@"); equalFold(local, name) {
				return u, true
			}
		}
	}
	return User{}, false
}

// findGroup finds a group by object ID or display name (case-insensitive).
func (s *Sandbox) findGroup(name string) (Group, bool) {
	for _, g := range s.world.Groups {
		if strings.EqualFold(g.ID, name) || equalFold(g.Name, name) {
			return g, true
		}
	}
	return Group{}, false
}

// groupsOf is the user's group membership now: the world's, or what
// ChangeUserGroups made of it.
func (s *Sandbox) groupsOf(u User) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groupsOfLocked(u)
}

func (s *Sandbox) groupsOfLocked(u User) []string {
	if g, ok := s.memberships[u.ObjectID]; ok {
		return g
	}
	return u.Groups
}

// UserGroups returns the group object IDs of user (username, object ID
// or the name before the @) as tokens issued now carry them.
func (s *Sandbox) UserGroups(user string) ([]string, error) {
	u, ok := s.findUser(user)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownUser, user)
	}
	return slices.Clone(s.groupsOf(u)), nil
}

// ChangeUserGroups adds user to the groups add and removes them from the
// groups remove (each named by object ID or display name), as an admin
// changing memberships in the Entra admin center would. Tokens already
// issued keep their groups; every token issued from now on (a refresh
// included) carries the new ones. It returns the new membership.
func (s *Sandbox) ChangeUserGroups(user string, add, remove []string) ([]string, error) {
	u, ok := s.findUser(user)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownUser, user)
	}
	ids := func(names []string) ([]string, error) {
		var out []string
		for _, n := range names {
			g, ok := s.findGroup(strings.TrimSpace(n))
			if !ok {
				known := make([]string, len(s.world.Groups))
				for i, g := range s.world.Groups {
					known[i] = g.Name
				}
				return nil, fmt.Errorf("%w %q: name one by object ID or display name (%s)", ErrUnknownGroup, n, strings.Join(known, ", "))
			}
			out = append(out, g.ID)
		}
		return out, nil
	}
	addIDs, err := ids(add)
	if err != nil {
		return nil, err
	}
	removeIDs, err := ids(remove)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := slices.DeleteFunc(slices.Clone(s.groupsOfLocked(u)), func(id string) bool { return slices.Contains(removeIDs, id) })
	for _, id := range addIDs {
		if !slices.Contains(next, id) {
			next = append(next, id)
		}
	}
	if next == nil {
		next = []string{}
	}
	s.memberships[u.ObjectID] = next
	return slices.Clone(next), nil
}

// groupsAnswer is the admin API's answer about a user's groups.
type groupsAnswer struct {
	OK       bool         `json:"ok"`
	Username string       `json:"username"`
	Groups   []groupEntry `json:"groups"`
}

type groupEntry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Sandbox) groupsAnswer(username string, ids []string) groupsAnswer {
	a := groupsAnswer{OK: true, Username: username, Groups: []groupEntry{}}
	for _, id := range ids {
		e := groupEntry{ID: id}
		if g, ok := s.findGroup(id); ok {
			e.Name = g.Name
		}
		a.Groups = append(a.Groups, e)
	}
	return a
}

// groupRoutes are the membership part of the admin API (see adminRoutes).
func (s *Sandbox) groupRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /_sandbox/users/{user}/groups", func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.findUser(r.PathValue("user"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": fmt.Sprintf("no user %q", r.PathValue("user"))})
			return
		}
		writeJSON(w, http.StatusOK, s.groupsAnswer(u.Username, s.groupsOf(u)))
	})
	m.HandleFunc("POST /_sandbox/users/{user}/groups", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Add    []string `json:"add"`
			Remove []string `json:"remove"`
		}
		if !readJSON(w, r, &body) {
			return
		}
		u, ok := s.findUser(r.PathValue("user"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": fmt.Sprintf("no user %q", r.PathValue("user"))})
			return
		}
		if len(body.Add) == 0 && len(body.Remove) == 0 {
			adminResult(w, errors.New(`give "add" and/or "remove": lists of group object IDs or display names`))
			return
		}
		ids, err := s.ChangeUserGroups(u.ObjectID, body.Add, body.Remove)
		if err != nil {
			adminResult(w, err)
			return
		}
		writeJSON(w, http.StatusOK, s.groupsAnswer(u.Username, ids))
	})
}
