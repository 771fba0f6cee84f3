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

// pick returns the items named in list (comma separated), in that order,
// found with byName; all lists every name, for the error.
func pick[T any](what, list string, byName func(string) (T, bool), all []string) ([]T, error) {
	var out []T
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		x, ok := byName(name)
		if !ok {
			return nil, fmt.Errorf("unknown %s %q (known: %s)", what, name, strings.Join(all, ", "))
		}
		out = append(out, x)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s named in %q", what, list)
	}
	return out, nil
}

// pickClients returns the browser clients named in list, from
// browser.Clients and browser.OptionalClients.
func pickClients(list string) ([]browser.Client, error) {
	return pick("browser client", list, browser.ClientByName, namesOf(append(browser.Clients, browser.OptionalClients...)))
}

// pickPairedSets returns the paired sets named in list, from
// browser.PairedSets and browser.OptionalPairedSets.
func pickPairedSets(list string) ([]browser.PairedSet, error) {
	return pick("paired set", list, browser.PairedSetByName, pairedSetNames(append(browser.PairedSets, browser.OptionalPairedSets...)))
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

func pairedSetNames(sets []browser.PairedSet) []string {
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	return names
}
