// Package catalog loads products from CSV and keeps them sorted by SKU.
package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Product is one row of the catalog.
type Product struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Cents    int64  `json:"cents"`
	Quantity int    `json:"quantity"`
}

// Catalog is an immutable, SKU-sorted list of products.
type Catalog struct {
	products []Product
}

// ErrDuplicateSKU reports two rows with the same SKU.
var ErrDuplicateSKU = errors.New("duplicate sku")

// Load reads "sku,name,cents,quantity" rows; a first row starting with "sku" is a header.
func Load(reader io.Reader) (*Catalog, error) {
	csvReader := csv.NewReader(reader)
	csvReader.FieldsPerRecord = 4
	var products []Product
	seen := map[string]bool{}
	for line := 1; ; line++ {
		record, err := csvReader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if line == 1 && strings.EqualFold(record[0], "sku") {
			continue
		}
		product, err := parseRecord(record)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if seen[product.SKU] {
			return nil, fmt.Errorf("line %d: %w %q", line, ErrDuplicateSKU, product.SKU)
		}
		seen[product.SKU] = true
		products = append(products, product)
	}
	sort.Slice(products, func(i, j int) bool { return products[i].SKU < products[j].SKU })
	return &Catalog{products: products}, nil
}

func parseRecord(record []string) (Product, error) {
	cents, err := strconv.ParseInt(strings.TrimSpace(record[2]), 10, 64)
	if err != nil {
		return Product{}, fmt.Errorf("cents: %w", err)
	}
	quantity, err := strconv.Atoi(strings.TrimSpace(record[3]))
	if err != nil {
		return Product{}, fmt.Errorf("quantity: %w", err)
	}
	return Product{SKU: strings.TrimSpace(record[0]), Name: strings.TrimSpace(record[1]), Cents: cents, Quantity: quantity}, nil
}

// Len is the number of products.
func (catalog *Catalog) Len() int { return len(catalog.products) }

// Find returns the product with the given SKU.
func (catalog *Catalog) Find(sku string) (Product, bool) {
	index := sort.Search(len(catalog.products), func(i int) bool { return catalog.products[i].SKU >= sku })
	if index < len(catalog.products) && catalog.products[index].SKU == sku {
		return catalog.products[index], true
	}
	return Product{}, false
}

// All returns a copy of every product, in SKU order.
func (catalog *Catalog) All() []Product {
	return append([]Product(nil), catalog.products...)
}
