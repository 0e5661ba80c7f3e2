package io.sightline.core.classify;

/**
 * One ranked label.
 *
 * @param label class name
 * @param probability in [0,1]
 */
public record Classification(String label, float probability) {}
