// Unit tests run on Node 20 like the relay does, so they need the same polyfill.
import '../../relay/polyfill.ts'
