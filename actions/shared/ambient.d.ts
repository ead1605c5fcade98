/** Handlebars templates are bundled as text (esbuild's `.hbs` text loader). */
declare module '*.hbs' {
  const text: string;
  export default text;
}

/** Bottleneck's light build (what octokit's throttling plugin uses) has the full build's types. */
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
