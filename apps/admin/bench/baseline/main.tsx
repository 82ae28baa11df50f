// The benchmark's baseline: an empty React app, built exactly as the admin app is.
import { createRoot } from "react-dom/client";

const root = document.getElementById("root");
if (root) createRoot(root).render(<h1>Hello</h1>);
