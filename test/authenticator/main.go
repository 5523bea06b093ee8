// Command authenticator-parse feeds an aws-auth ConfigMap's data to the real aws-iam-authenticator parser
// (sigs.k8s.io/aws-iam-authenticator/pkg/mapper/configmap.ParseMap) and prints what it read as JSON.
//
// Input on stdin: the ConfigMap's data as a JSON object of strings ({"mapRoles": "...", ...}).
//
// Default mode: prints {"users":[...],"roles":[...],"accounts":[...]}; on any parse error prints
// {"error":"..."} and exits 1.
//
// --check: prints what the running authenticator would hold after seeing this ConfigMap. On a parse error
// the real authenticator (configmap.go, startLoadConfigMap) logs it and still saves whatever ParseMap
// returned: a block (mapUsers/mapRoles) whose YAML fails is dropped whole, entries failing Validate() are
// dropped one by one, and the rest stays in force. saveMap keys entries by Key() (later ones win). The
// output then carries "error" too, and the exit code is 0.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"sigs.k8s.io/aws-iam-authenticator/pkg/config"
	"sigs.k8s.io/aws-iam-authenticator/pkg/mapper/configmap"
)

type user struct {
	config.UserMapping
	Key             string  `json:"key"`
	ValidationError *string `json:"validationError"`
}

type role struct {
	config.RoleMapping
	Key             string  `json:"key"`
	ValidationError *string `json:"validationError"`
}

type view struct {
	Users    []user   `json:"users"`
	Roles    []role   `json:"roles"`
	Accounts []string `json:"accounts"`
	Error    *string  `json:"error,omitempty"`
}

func errString(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func emit(v any, code int) {
	out, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "encoding output: %v\n", err)
		os.Exit(2)
	}
	fmt.Println(string(out))
	os.Exit(code)
}

func main() {
	check := len(os.Args) > 1 && os.Args[1] == "--check"
	var data map[string]string
	if err := json.NewDecoder(os.Stdin).Decode(&data); err != nil {
		emit(map[string]string{"error": "reading ConfigMap data from stdin: " + err.Error()}, 2)
	}
	// ParseMap logs through logrus to stderr; keep stdout for the JSON answer only.
	userMappings, roleMappings, accounts, err := configmap.ParseMap(data)
	if err != nil && !check {
		emit(map[string]string{"error": err.Error()}, 1)
	}
	if check {
		// Same as MapStore.saveMap: maps keyed by Key(), so a later entry with the same key replaces an earlier one.
		users, roles, accountSet := map[string]config.UserMapping{}, map[string]config.RoleMapping{}, map[string]bool{}
		for _, u := range userMappings {
			users[u.Key()] = u
		}
		for _, r := range roleMappings {
			roles[r.Key()] = r
		}
		for _, a := range accounts {
			accountSet[a] = true
		}
		userMappings, roleMappings, accounts = nil, nil, nil
		for _, k := range sortedKeys(users) {
			userMappings = append(userMappings, users[k])
		}
		for _, k := range sortedKeys(roles) {
			roleMappings = append(roleMappings, roles[k])
		}
		accounts = sortedKeys(accountSet)
	}
	v := view{Users: []user{}, Roles: []role{}, Accounts: append([]string{}, accounts...), Error: errString(err)}
	for _, u := range userMappings {
		v.Users = append(v.Users, user{u, u.Key(), errString(u.Validate())})
	}
	for _, r := range roleMappings {
		v.Roles = append(v.Roles, role{r, r.Key(), errString(r.Validate())})
	}
	emit(v, 0)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
