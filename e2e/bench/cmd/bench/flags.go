package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/duplexgo/duplex/e2e/bench/internal/browser"
)

// setParams returns a copy of defaults with the changes of set, a comma
// separated list of key=number (the -set flags). Unknown keys are errors.
func setParams(defaults map[string]int, set string) (map[string]int, error) {
	params := maps.Clone(defaults)
	for kv := range strings.SplitSeq(set, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if _, known := params[k]; !known || err != nil || n < 0 {
			return nil, fmt.Errorf("-set %q: unknown parameter or bad number (parameters: %s)", kv, strings.Join(slices.Sorted(maps.Keys(defaults)), ", "))
		}
		params[k] = n
	}
	return params, nil
}

// pickClients returns the browser clients named in list (comma separated,
// in that order), from browser.Clients and browser.OptionalClients.
func pickClients(list string) ([]browser.Client, error) {
	var out []browser.Client
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		c, ok := browser.ClientByName(name)
		if !ok {
			return nil, fmt.Errorf("unknown browser client %q (clients: %s)", name, clientNames())
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no browser client named in %q", list)
	}
	return out, nil
}

// clientNames lists every browser client's name.
func clientNames() string {
	return strings.Join(namesOf(append(browser.Clients, browser.OptionalClients...)), ", ")
}

func namesOf(cs []browser.Client) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}
