// Package server exposes the catalog and the pricing rules as a JSON HTTP API.
package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"inventory/internal/catalog"
	"inventory/internal/pricing"
)

type quoteRequest struct {
	Items      map[string]int `json:"items"`
	VATPercent int64          `json:"vat_percent"`
}

type quoteResponse struct {
	TotalCents int64    `json:"total_cents"`
	Unknown    []string `json:"unknown,omitempty"`
}

// New returns the API handler: GET /products, GET /products/{sku}, POST /quote.
func New(products *catalog.Catalog) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/products", func(writer http.ResponseWriter, request *http.Request) {
		writeJSON(writer, http.StatusOK, products.All())
	})
	mux.HandleFunc("/products/", func(writer http.ResponseWriter, request *http.Request) {
		sku := strings.TrimPrefix(request.URL.Path, "/products/")
		product, found := products.Find(sku)
		if !found {
			writeJSON(writer, http.StatusNotFound, map[string]string{"error": "no product " + sku})
			return
		}
		writeJSON(writer, http.StatusOK, product)
	})
	mux.HandleFunc("/quote", func(writer http.ResponseWriter, request *http.Request) {
		if request.Method != http.MethodPost {
			writeJSON(writer, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
			return
		}
		var quote quoteRequest
		if err := json.NewDecoder(request.Body).Decode(&quote); err != nil {
			writeJSON(writer, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		var lines []pricing.Line
		var response quoteResponse
		for sku, quantity := range quote.Items {
			product, found := products.Find(sku)
			if !found {
				response.Unknown = append(response.Unknown, sku)
				continue
			}
			lines = append(lines, pricing.Line{UnitCents: product.Cents, Quantity: quantity})
		}
		total, err := pricing.Total(lines, quote.VATPercent)
		if err != nil {
			writeJSON(writer, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		response.TotalCents = total
		writeJSON(writer, http.StatusOK, response)
	})
	return mux
}

func writeJSON(writer http.ResponseWriter, status int, value any) {
	writer.Header().Set("Content-Type", "application/json")
	writer.WriteHeader(status)
	_ = json.NewEncoder(writer).Encode(value)
}
