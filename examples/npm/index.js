// Prints an escaped greeting and a duration.
const escapeHtml = require("escape-html");
const ms = require("ms");

console.log(`${escapeHtml("<hello>")} in ${ms(90000, { long: true })}`);
