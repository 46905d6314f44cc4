// Command inventory serves a product catalog loaded from a CSV file over HTTP as JSON.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	"inventory/internal/catalog"
	"inventory/internal/server"
)

func main() {
	address := flag.String("listen", ":8080", "address to listen on")
	catalogPath := flag.String("catalog", "catalog.csv", "CSV file with sku,name,cents,quantity rows")
	flag.Parse()

	file, err := os.Open(*catalogPath)
	if err != nil {
		log.Fatalf("open catalog: %v", err)
	}
	products, err := catalog.Load(file)
	file.Close()
	if err != nil {
		log.Fatalf("load catalog: %v", err)
	}
	httpServer := &http.Server{
		Addr:              *address,
		Handler:           server.New(products),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("serving %d products on %s", products.Len(), *address)
	log.Fatal(httpServer.ListenAndServe())
}
