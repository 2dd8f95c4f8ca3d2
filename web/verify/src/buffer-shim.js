// The wallet libraries expect Node's Buffer; the browser gets the `buffer` package's.
import { Buffer } from "buffer";
export { Buffer };
