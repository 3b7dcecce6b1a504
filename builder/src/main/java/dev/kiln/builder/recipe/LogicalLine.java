package dev.kiln.builder.recipe;

/**
 * One instruction after continuation lines were joined and comment lines dropped: the 1-based line
 * it starts on and its text (left-trimmed, escape-continuations removed).
 */
record LogicalLine(int line, String text) {
}
