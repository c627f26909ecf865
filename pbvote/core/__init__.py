"""Pure counting core: types, ballot validation, counting rules, pabulib I/O. No framework imports."""
