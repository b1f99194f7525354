// Placeholder: the LR-finder engineer replaces this file (LRFinder, lrFind).
export {};
