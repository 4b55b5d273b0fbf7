// Command go-client calls Switchyard over NATS the way a product team's service would: one chat request on
// router.request.v1 (whole, or streamed with -stream), then feedback on that answer on router.feedback.v1.
//
// The JSON types below mirror libs/contracts (docs/schemas/*.json): only the fields this client reads are
// typed; what it passes on or ignores stays json.RawMessage, so a field added to the contract breaks nothing.
// See docs/clients.md for the subjects, headers, timeouts and error codes.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Subjects and headers of the public contract (libs/contracts/src/lib/subjects.ts, headers.ts).
const (
	subjectRequest  = "router.request.v1"
	subjectFeedback = "router.feedback.v1"

	headerAuthorization = "Authorization"
	headerTraceparent   = "traceparent"
	headerDeadline      = "Switchyard-Deadline"
)

// Exit codes: what a script calling this client can branch on.
const (
	exitFailureReply = 1 // Switchyard answered with an error (its code and message are on stderr)
	exitUsage        = 2 // bad flags
	exitNoAnswer     = 3 // could not connect, or no answer within the timeout after every retry
)

// chatRequest is the payload of router.request.v1 (libs/contracts/src/payloads/chat-request.ts). The schema
// refuses unknown keys, so only contract fields are sent.
type chatRequest struct {
	RequestID string        `json:"requestId"`
	Messages  []chatMessage `json:"messages"`
	Stream    bool          `json:"stream,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatDelta is a piece of a streamed answer: a message on the reply inbox without an "ok" field.
type chatDelta struct {
	RequestID string `json:"requestId"`
	Model     string `json:"model"`
	Delta     string `json:"delta"`
}

// chatReply is the final message on the reply inbox: a ChatSuccess ("ok": true) or a ChatFailure.
type chatReply struct {
	OK        bool         `json:"ok"`
	RequestID string       `json:"requestId"`
	Tenant    string       `json:"tenant"`
	Model     string       `json:"model"`
	Provider  string       `json:"provider"`
	Answer    answer       `json:"answer"`
	Decision  decision     `json:"decision"`
	Usage     usage        `json:"usage"`
	CostUSD   float64      `json:"costUsd"`
	Replayed  bool         `json:"replayed"`
	Error     *routerError `json:"error"`

	FinishReason json.RawMessage `json:"finishReason"`
	Latency      json.RawMessage `json:"latency"`
}

type answer struct {
	Content string `json:"content"`
}

type decision struct {
	Method        string          `json:"method"`
	Rule          string          `json:"rule"`
	Reason        string          `json:"reason"`
	PolicyVersion string          `json:"policyVersion"`
	Plan          json.RawMessage `json:"plan"`
}

type usage struct {
	InputTokens  int `json:"inputTokens"`
	OutputTokens int `json:"outputTokens"`
}

// routerError is the error body of every failure reply (libs/contracts/src/lib/errors.ts).
type routerError struct {
	Code              string   `json:"code"`
	Message           string   `json:"message"`
	Field             string   `json:"field,omitempty"`
	RetryAfterSeconds *float64 `json:"retryAfterSeconds,omitempty"`
}

func (e *routerError) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	if e.RetryAfterSeconds != nil {
		msg += fmt.Sprintf(" (retry after %gs)", *e.RetryAfterSeconds)
	}
	return msg
}

// feedbackRequest is the payload of router.feedback.v1 (libs/contracts/src/payloads/feedback.ts).
type feedbackRequest struct {
	RequestID  string `json:"requestId"`
	FeedbackID string `json:"feedbackId"`
	Rating     int    `json:"rating"`
	Comment    string `json:"comment,omitempty"`
}

// feedbackReply is a FeedbackAccepted ("ok": true) or a ChatFailure.
type feedbackReply struct {
	OK         bool         `json:"ok"`
	FeedbackID string       `json:"feedbackId"`
	RequestID  string       `json:"requestId"`
	Error      *routerError `json:"error"`
}

// errNoAnswer: nothing (or no final message) arrived in time, or nobody serves the subject.
var errNoAnswer = errors.New("no answer")

type config struct {
	url, user, password, token, credsFile, nkeySeedFile, caFile string

	apiKey    string
	requestID string
	prompt    string
	stream    bool
	timeout   time.Duration
	retries   int
	rating    int
	comment   string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-client:", err)
		os.Exit(exitUsage)
	}
	os.Exit(run(cfg, os.Stdout, os.Stderr))
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("go-client", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go-client [flags] PROMPT\n\nAsks Switchyard over NATS, prints the answer, model, method and cost, then sends feedback.\n\nflags (defaults from the environment):")
		fs.PrintDefaults()
	}
	// The same variables the services read (docs/security.md), plus the tenant's Switchyard key.
	fs.StringVar(&cfg.url, "url", envOr("NATS_URL", nats.DefaultURL), "NATS server URL (NATS_URL)")
	fs.StringVar(&cfg.user, "user", os.Getenv("NATS_USER"), "NATS user of your tenant account (NATS_USER)")
	// Secrets are read from the environment after parsing, so -h never prints them as defaults.
	fs.StringVar(&cfg.password, "password", "", "NATS password (NATS_PASSWORD)")
	fs.StringVar(&cfg.token, "token", "", "NATS token, instead of a user (NATS_TOKEN)")
	fs.StringVar(&cfg.credsFile, "creds", os.Getenv("NATS_CREDS_FILE"), "NATS .creds file (NATS_CREDS_FILE)")
	fs.StringVar(&cfg.nkeySeedFile, "nkey", os.Getenv("NATS_NKEY_SEED_FILE"), "NATS nkey seed file (NATS_NKEY_SEED_FILE)")
	fs.StringVar(&cfg.caFile, "ca", os.Getenv("NATS_TLS_CA_FILE"), "CA file for a TLS NATS server (NATS_TLS_CA_FILE)")
	fs.StringVar(&cfg.apiKey, "key", "", "tenant API key, sent as Authorization: Bearer KEY (SWITCHYARD_API_KEY)")
	fs.StringVar(&cfg.requestID, "request-id", "", "request id; re-sending one within 10 minutes returns the first answer (default: a new one)")
	fs.BoolVar(&cfg.stream, "stream", false, "ask for the answer in pieces as the model writes it")
	// Ingress answers `timeout` itself after REQUEST_TIMEOUT_MS (30 s by default): waiting a little longer
	// lets the caller see that reply instead of giving up just before it arrives.
	fs.DurationVar(&cfg.timeout, "timeout", 35*time.Second, "how long to wait for the whole answer, per try")
	fs.IntVar(&cfg.retries, "retries", 2, "tries after the first when no answer came or the error is transient (same request id: never paid twice)")
	fs.IntVar(&cfg.rating, "rating", 5, "feedback rating 1..5 sent on the answer; 0 sends none")
	fs.StringVar(&cfg.comment, "comment", "", "feedback comment")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.password = flagOrEnv(cfg.password, "NATS_PASSWORD")
	cfg.token = flagOrEnv(cfg.token, "NATS_TOKEN")
	cfg.apiKey = flagOrEnv(cfg.apiKey, "SWITCHYARD_API_KEY")
	cfg.prompt = strings.TrimSpace(strings.Join(fs.Args(), " "))
	switch {
	case cfg.prompt == "":
		return cfg, errors.New("give a prompt: go-client [flags] PROMPT")
	case cfg.rating < 0 || cfg.rating > 5:
		return cfg, errors.New("-rating must be 1..5, or 0 for no feedback")
	case cfg.timeout <= 0:
		return cfg, errors.New("-timeout must be positive")
	case cfg.retries < 0:
		return cfg, errors.New("-retries must be 0 or more")
	}
	if cfg.requestID == "" {
		cfg.requestID = "go-" + randomHex(12)
	}
	return cfg, nil
}

func run(cfg config, stdout, stderr io.Writer) int {
	opts, err := connectOptions(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "go-client:", err)
		return exitUsage
	}
	nc, err := nats.Connect(cfg.url, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "go-client: connect to %s: %v\n", cfg.url, err)
		return exitNoAnswer
	}
	// Drain, not Close: an unsubscribe or publish still buffered is flushed first.
	defer func() { _ = nc.Drain() }()

	// One trace for the whole exchange: every message carries its id, so the request's hops through the
	// services and the feedback are found together.
	trace := newTrace()
	fmt.Fprintf(stdout, "request:  %s (trace %s)\n", cfg.requestID, trace.traceID)

	req := chatRequest{
		RequestID: cfg.requestID,
		Messages:  []chatMessage{{Role: "user", Content: cfg.prompt}},
		Stream:    cfg.stream,
	}
	reply, pieces, err := askWithRetries(nc, cfg, trace, req, stdout, stderr)
	if err != nil {
		return report(stderr, err)
	}
	printReply(stdout, reply, pieces, cfg.stream)

	if cfg.rating == 0 {
		return 0
	}
	fb := feedbackRequest{
		RequestID: reply.RequestID,
		// Chosen here, not by the server: a re-sent feedback (after a timeout) is then stored once.
		FeedbackID: "fb-" + randomHex(12),
		Rating:     cfg.rating,
		Comment:    cfg.comment,
	}
	ack, err := sendFeedback(nc, cfg, trace, fb)
	if err != nil {
		return report(stderr, err)
	}
	fmt.Fprintf(stdout, "feedback: accepted %s for %s\n", ack.FeedbackID, ack.RequestID)
	return 0
}

func connectOptions(cfg config) ([]nats.Option, error) {
	opts := []nats.Option{nats.Name("switchyard-go-client"), nats.Timeout(5 * time.Second)}
	if cfg.user != "" {
		opts = append(opts, nats.UserInfo(cfg.user, cfg.password))
	}
	if cfg.token != "" {
		opts = append(opts, nats.Token(cfg.token))
	}
	if cfg.credsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.credsFile))
	}
	if cfg.nkeySeedFile != "" {
		opt, err := nats.NkeyOptionFromSeed(cfg.nkeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("nkey seed %s: %w", cfg.nkeySeedFile, err)
		}
		opts = append(opts, opt)
	}
	if cfg.caFile != "" {
		opts = append(opts, nats.RootCAs(cfg.caFile))
	}
	return opts, nil
}

// askWithRetries sends the request until it gets a final reply, retrying with the same request id when no
// answer came or the error is one a retry may clear: ingress then returns the first answer ("replayed")
// or waits for the call still running, and never calls a model twice for one id.
func askWithRetries(nc *nats.Conn, cfg config, trace trace, req chatRequest, stdout, stderr io.Writer) (*chatReply, int, error) {
	for attempt := 0; ; attempt++ {
		pieces := 0
		onPiece := func(d chatDelta) {
			if pieces == 0 {
				fmt.Fprint(stdout, "answer:   ")
			}
			pieces++
			fmt.Fprint(stdout, d.Delta)
		}
		reply, err := ask(nc, cfg, trace.child(), req, onPiece)
		if pieces > 0 {
			fmt.Fprintln(stdout) // ends the streamed answer's line
		}
		if err == nil && reply.OK {
			return reply, pieces, nil
		}
		if err == nil {
			err = reply.Error
		}
		wait, retry := retryable(err)
		if !retry || attempt >= cfg.retries {
			return nil, pieces, err
		}
		fmt.Fprintf(stderr, "go-client: %v; retrying %s in %s\n", err, req.RequestID, wait)
		time.Sleep(wait)
	}
}

// ask publishes one request with a reply inbox of its own and reads that inbox until the final reply: the
// pieces of a streamed answer (messages without "ok") go to onPiece first. The timeout bounds the whole
// answer, not each message: a stream that stalls ends here too.
func ask(nc *nats.Conn, cfg config, traceparent string, req chatRequest, onPiece func(chatDelta)) (*chatReply, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer func() { _ = sub.Unsubscribe() }()

	msg := nats.NewMsg(subjectRequest)
	msg.Reply = inbox
	msg.Data = data
	setAuthorization(msg, cfg.apiKey)
	msg.Header.Set(headerTraceparent, traceparent)
	msg.Header.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	if err := nc.PublishMsg(msg); err != nil {
		return nil, err
	}

	for {
		in, err := sub.NextMsgWithContext(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w from %s within %s", errNoAnswer, subjectRequest, cfg.timeout)
		}
		if err != nil {
			return nil, err
		}
		if isNoResponders(in) {
			return nil, fmt.Errorf("%w: nobody serves %s (is ingress running, and does your NATS account import it?)", errNoAnswer, subjectRequest)
		}
		var probe struct {
			OK *bool `json:"ok"`
		}
		if err := json.Unmarshal(in.Data, &probe); err != nil {
			return nil, fmt.Errorf("undecodable message on the reply inbox: %w", err)
		}
		if probe.OK == nil {
			var d chatDelta
			if err := json.Unmarshal(in.Data, &d); err != nil {
				return nil, fmt.Errorf("undecodable piece of the answer: %w", err)
			}
			onPiece(d)
			continue
		}
		var reply chatReply
		if err := json.Unmarshal(in.Data, &reply); err != nil {
			return nil, fmt.Errorf("undecodable reply: %w", err)
		}
		if !reply.OK && reply.Error == nil {
			return nil, errors.New("a failure reply without an error body")
		}
		return &reply, nil
	}
}

func sendFeedback(nc *nats.Conn, cfg config, trace trace, fb feedbackRequest) (*feedbackReply, error) {
	data, err := json.Marshal(fb)
	if err != nil {
		return nil, err
	}
	// Ingress answers once JetStream has stored the feedback; it gives up within about 7 s itself.
	const timeout = 10 * time.Second
	for attempt := 0; ; attempt++ {
		msg := nats.NewMsg(subjectFeedback)
		msg.Data = data
		setAuthorization(msg, cfg.apiKey)
		msg.Header.Set(headerTraceparent, trace.child())
		in, err := nc.RequestMsg(msg, timeout)
		var reply feedbackReply
		switch {
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, nats.ErrNoResponders):
			err = fmt.Errorf("%w from %s: %v", errNoAnswer, subjectFeedback, err)
		case err == nil:
			if err = json.Unmarshal(in.Data, &reply); err == nil && !reply.OK {
				err = reply.Error
				if err == nil {
					err = errors.New("a failure reply without an error body")
				}
			}
		}
		if err == nil {
			return &reply, nil
		}
		// The same feedbackId on every try: a feedback that was stored but whose answer was lost counts once.
		wait, retry := retryable(err)
		if !retry || attempt >= cfg.retries {
			return nil, err
		}
		time.Sleep(wait)
	}
}

// retryable says whether the same request may succeed when sent again, and after how long. Quotas and
// rate limits are left to the caller: their retry-after can be hours.
func retryable(err error) (time.Duration, bool) {
	if errors.Is(err, errNoAnswer) {
		return time.Second, true
	}
	var re *routerError
	if !errors.As(err, &re) {
		return 0, false
	}
	switch re.Code {
	case "timeout", "unavailable":
		wait := time.Second
		if re.RetryAfterSeconds != nil {
			wait = time.Duration(*re.RetryAfterSeconds * float64(time.Second))
		}
		return min(wait, 5*time.Second), true
	}
	return 0, false
}

// report prints a failure and picks the exit code: Switchyard's own error code and message when it answered.
func report(stderr io.Writer, err error) int {
	var re *routerError
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "error: %v\n", re)
		return exitFailureReply
	}
	fmt.Fprintln(stderr, "go-client:", err)
	return exitNoAnswer
}

func printReply(w io.Writer, r *chatReply, pieces int, stream bool) {
	if pieces == 0 {
		// Not streamed, or streamed but answered whole (a replayed answer comes whole).
		fmt.Fprintf(w, "answer:   %s\n", r.Answer.Content)
	}
	fmt.Fprintf(w, "model:    %s (provider %s)\n", r.Model, r.Provider)
	rule := ""
	if r.Decision.Rule != "" {
		rule = "rule " + r.Decision.Rule + "; "
	}
	fmt.Fprintf(w, "method:   %s (%spolicy %s)\n", r.Decision.Method, rule, r.Decision.PolicyVersion)
	fmt.Fprintf(w, "reason:   %s\n", r.Decision.Reason)
	fmt.Fprintf(w, "cost:     $%.8f (%d tokens in, %d out)\n", r.CostUSD, r.Usage.InputTokens, r.Usage.OutputTokens)
	if stream {
		fmt.Fprintf(w, "pieces:   %d\n", pieces)
	}
	if r.Replayed {
		fmt.Fprintln(w, "replayed: the stored answer to an earlier request with this id")
	}
}

// trace is a W3C trace context (https://www.w3.org/TR/trace-context/): one trace id for the exchange, a
// new span id for each message sent.
type trace struct{ traceID string }

func newTrace() trace { return trace{traceID: randomHex(16)} }

// child is the traceparent header of one message: version 00, this trace, a fresh span id, sampled.
func (t trace) child() string { return "00-" + t.traceID + "-" + randomHex(8) + "-01" }

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// setAuthorization sends the tenant's key; without one (a local stack with AUTH=off) no header at all.
func setAuthorization(m *nats.Msg, apiKey string) {
	if apiKey != "" {
		m.Header.Set(headerAuthorization, "Bearer "+apiKey)
	}
}

// isNoResponders: the server's status message when nobody subscribes to the subject of a request.
func isNoResponders(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get("Status") == "503"
}

func flagOrEnv(value, name string) string {
	if value != "" {
		return value
	}
	return os.Getenv(name)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
