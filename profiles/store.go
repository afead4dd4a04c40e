package profiles

import "errors"

// Store is the profiles.yaml file. (Contract; implemented by the profiles work.)
type Store struct{ path string }

// NewStore returns the store kept at path.
func NewStore(path string) *Store { return &Store{path: path} }

// Path is the file's location.
func (s *Store) Path() string { return s.path }

var errNotYet = errors.New("profiles: not implemented yet")

// List returns every profile in file order.
func (s *Store) List() ([]Profile, error) { return nil, errNotYet }

// Get returns the named profile.
func (s *Store) Get(name string) (Profile, error) { return Profile{}, errNotYet }

// Select picks the profile to use: the named one (from -p), else the one
// named by envName (CDFLOGIN_PROFILE), else the one marked default, else
// the only one.
func (s *Store) Select(flagName, envName string) (Profile, error) { return Profile{}, errNotYet }

// Add stores a new profile; it fails if the name is taken.
func (s *Store) Add(p Profile) error { return errNotYet }

// Update changes the named profile in place, keeping comments and order.
func (s *Store) Update(name string, change func(*Profile) error) error { return errNotYet }

// Remove deletes the named profile.
func (s *Store) Remove(name string) error { return errNotYet }
