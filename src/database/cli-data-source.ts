import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { buildDataSourceOptions } from './data-source-options';

/** The DataSource the TypeORM CLI uses: the same configuration the app validates at start. */
export default new DataSource(buildDataSourceOptions(loadConfig(process.env).database));
