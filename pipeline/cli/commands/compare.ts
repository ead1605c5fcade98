import { writeFileAtomic } from '../../io/atomic.js';
import { compareModels } from '../../learn/compare.js';
import { renderComparisonMarkdown } from '../../learn/compare-markdown.js';
import { loadConfig } from '../../learn/config.js';
import { log } from '../../log.js';
import { jsonOption, optionalString, requiredString, type Command } from '../command.js';

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare a challenger model with the champion on the same holdout, and give the verdict',
  usage: '--champion DIR --challenger DIR --data FILE|DIR [--config FILE] [--markdown FILE] [--json]',
  details:
    'Verifies both model directories, scores both model.onnx files with onnxruntime on the hash holdout of the\n' +
    'data, and prints the metrics side by side with the changes, DeLong\u2019s test of the ROC-AUC difference,\n' +
    'McNemar\u2019s test of accuracy, and the verdict of the promotion rule (from --config, default the\n' +
    'challenger\u2019s config.json). --markdown writes the pull-request comment. Exit code 0 either way.',
  options: {
    champion: { type: 'string', value: 'DIR', description: 'the current model directory' },
    challenger: { type: 'string', value: 'DIR', description: 'the newly trained model directory' },
    data: {
      type: 'string',
      value: 'FILE|DIR',
      description: 'labeled history whose holdout both are judged on',
    },
    config: { type: 'string', value: 'FILE', description: 'configuration with the promotion rule' },
    markdown: { type: 'string', value: 'FILE', description: 'write the comparison as Markdown here' },
    ...jsonOption,
  },
  async run(args) {
    const configPath = optionalString(args, 'config');
    const result = await compareModels({
      championDir: requiredString(args, 'champion'),
      challengerDir: requiredString(args, 'challenger'),
      dataPath: requiredString(args, 'data'),
      config: configPath ? await loadConfig(configPath) : undefined,
    });
    const markdown = renderComparisonMarkdown(result);
    const markdownPath = optionalString(args, 'markdown');
    if (markdownPath) {
      await writeFileAtomic(markdownPath, markdown);
      log.info(`wrote ${markdownPath}`);
    }
    return { data: result, text: markdown };
  },
};
