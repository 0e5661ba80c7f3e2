package io.sightline.crossmodal;

/**
 * One text unit of a corpus: a token and the index of the word it belongs to (several sub-word
 * units of one word share the index, so whole words can be masked together).
 *
 * @param token the unit's text as the tokenizer emits it
 * @param word 0-based index of the word the unit belongs to
 */
public record TextUnit(String token, int word) {}
