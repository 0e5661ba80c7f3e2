package io.sightline.core.image;

/**
 * What an image header declares, read without decoding pixels.
 *
 * @param format codec name, lower case ("png", "jpeg", ...)
 * @param width declared width in pixels
 * @param height declared height in pixels
 * @param bytes encoded size
 */
public record ImageInfo(String format, int width, int height, long bytes) {}
