package datagen

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Users is the number of distinct user ids PageViews draws from (ids 1..Users).
const Users = 10_000

// Event is one page view. Its strings are constants of this package.
type Event struct {
	UserID   int64
	Page     string
	Referrer string
	Country  string
	Device   string
	// AmountCents is the purchase amount in cents on "/checkout" views, 0 on every other page.
	AmountCents int64
	Time        time.Time
}

// weighted is a value with its relative frequency.
type weighted struct {
	value  string
	weight int
}

// CheckoutPage is the page whose views carry a purchase amount.
const CheckoutPage = "/checkout"

var (
	pages = []weighted{
		{"/", 22}, {"/products", 15}, {"/search", 12}, {"/products/shoes", 10}, {"/blog", 9},
		{"/products/jackets", 8}, {"/products/hats", 6}, {"/cart", 6}, {"/pricing", 5}, {CheckoutPage, 4},
		{"/about", 3},
	}
	referrers = []weighted{
		{"google.com", 38}, {"(direct)", 25}, {"reddit.com", 8}, {"news.ycombinator.com", 7},
		{"x.com", 7}, {"newsletter", 6}, {"bing.com", 5}, {"duckduckgo.com", 4},
	}
	countries = []weighted{
		{"US", 30}, {"IN", 11}, {"DE", 9}, {"GB", 8}, {"BR", 7}, {"FR", 6}, {"JP", 6},
		{"CA", 5}, {"NL", 4}, {"AU", 4}, {"ES", 3}, {"SE", 2}, {"KE", 2}, {"MX", 3},
	}
	devices = []weighted{{"mobile", 58}, {"desktop", 37}, {"tablet", 5}}
)

// table is a weighted choice: cumulative weights, searched linearly (the tables are short).
type table struct {
	values []string
	cum    []int
}

func newTable(ws []weighted) table {
	t := table{values: make([]string, len(ws)), cum: make([]int, len(ws))}
	sum := 0
	for i, w := range ws {
		sum += w.weight
		t.values[i], t.cum[i] = w.value, sum
	}
	return t
}

func (t table) total() int { return t.cum[len(t.cum)-1] }

// pick returns the value whose cumulative range holds n, 0 <= n < total().
func (t table) pick(n int) string {
	for i, c := range t.cum {
		if n < c {
			return t.values[i]
		}
	}
	return t.values[len(t.values)-1]
}

var (
	pageTable     = newTable(pages)
	referrerTable = newTable(referrers)
	countryTable  = newTable(countries)
	deviceTable   = newTable(devices)
)

// PageViews generates page-view events; see the package comment.
type PageViews struct {
	rng   *rand.Rand
	users *rand.Zipf
}

// NewPageViews returns a generator whose events depend only on seed.
func NewPageViews(seed uint64) *PageViews {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &PageViews{rng: rng, users: rand.NewZipf(rng, 1.07, 2, Users-1)}
}

// Next returns the next event, stamped with t.
func (g *PageViews) Next(t time.Time) Event {
	e := Event{UserID: int64(g.users.Uint64()) + 1, Time: t}
	e.Page = pageTable.pick(g.rng.IntN(pageTable.total()))
	e.Referrer = referrerTable.pick(g.rng.IntN(referrerTable.total()))
	if e.Page == CheckoutPage {
		// Baskets of 5.00 and up, mostly under 100, a long tail to 1000.
		e.AmountCents = 500 + min(int64(g.rng.ExpFloat64()*4500), 99_500)
	}
	// Country and device are the user's: a mix of the id, not a draw.
	h := mix(uint64(e.UserID))
	e.Country = countryTable.pick(int(h % uint64(countryTable.total())))
	e.Device = deviceTable.pick(int((h >> 32) % uint64(deviceTable.total())))
	return e
}

// mix is SplitMix64's finalizer: a well-spread hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// tsLayout is RFC 3339 in UTC with milliseconds, the form Runnel's JSON decoder parses without
// allocating.
const tsLayout = "2006-01-02T15:04:05.000Z07:00"

// AppendJSON appends e as one JSON object (see the package comment) to dst.
func AppendJSON(dst []byte, e *Event) []byte {
	dst = append(dst, `{"user_id":`...)
	dst = strconv.AppendInt(dst, e.UserID, 10)
	// The strings are this package's constants: nothing needs escaping.
	dst = appendField(dst, "page", e.Page)
	dst = appendField(dst, "referrer", e.Referrer)
	dst = appendField(dst, "country", e.Country)
	dst = appendField(dst, "device", e.Device)
	if e.AmountCents > 0 {
		dst = append(dst, `,"amount":`...)
		dst = strconv.AppendInt(dst, e.AmountCents/100, 10)
		c := e.AmountCents % 100
		dst = append(dst, '.', byte('0'+c/10), byte('0'+c%10))
	}
	dst = append(dst, `,"ts":"`...)
	dst = e.Time.UTC().AppendFormat(dst, tsLayout)
	return append(dst, `"}`...)
}

func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `":"`...)
	dst = append(dst, value...)
	return append(dst, '"')
}

// AppendKey appends e's message key, the user id in decimal, to dst.
func AppendKey(dst []byte, e *Event) []byte {
	return strconv.AppendInt(dst, e.UserID, 10)
}
