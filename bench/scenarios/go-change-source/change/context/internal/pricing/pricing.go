// Package pricing computes order totals with quantity discounts and VAT.
package pricing

import (
	"fmt"
	"math/big"
)

// Line is one product and quantity in an order.
type Line struct {
	UnitCents int64
	Quantity  int
}

// DiscountPercent is the discount a line of this quantity gets.
func DiscountPercent(quantity int) int64 {
	switch {
	case quantity >= 250:
		return 20
	case quantity >= 100:
		return 15
	case quantity >= 20:
		return 10
	case quantity >= 5:
		return 5
	default:
		return 0
	}
}

// Total returns the order's total in cents, VAT included, rounded half up.
func Total(lines []Line, vatPercent int64) (int64, error) {
	sum := new(big.Rat)
	for _, line := range lines {
		if line.Quantity < 0 || line.UnitCents < 0 {
			return 0, fmt.Errorf("negative line %+v", line)
		}
		gross := new(big.Rat).SetInt64(line.UnitCents * int64(line.Quantity))
		discount := new(big.Rat).SetFrac64(100-DiscountPercent(line.Quantity), 100)
		sum.Add(sum, gross.Mul(gross, discount))
	}
	sum.Mul(sum, new(big.Rat).SetFrac64(100+vatPercent, 100))
	rounded := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(sum.Num(), big.NewInt(2)), sum.Denom()), new(big.Int).Mul(sum.Denom(), big.NewInt(2)))
	return rounded.Int64(), nil
}
