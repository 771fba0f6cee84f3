//go:build !js

package wsclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// netHTTP is the fallback's HTTP natively: net/http's default transport
// (proxies from the environment, connection reuse).
type netHTTP struct{ client *http.Client }

func newHTTPBackend() httpBackend { return netHTTP{client: http.DefaultClient} }

// maxAnswer bounds the body of an open's or a send's answer.
const maxAnswer = 64 << 10

func (h netHTTP) post(ctx context.Context, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, answer, err
}

func (h netHTTP) get(ctx context.Context, url string, chunk func([]byte)) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return resp.StatusCode, nil
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			chunk(buf[:n])
		}
		if err == io.EOF {
			return resp.StatusCode, nil
		}
		if err != nil {
			return resp.StatusCode, err
		}
	}
}
