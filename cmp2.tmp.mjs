import fs from 'node:fs'; import YAML from 'yaml';
const [a,b]=process.argv.slice(2).map(f=>YAML.parse(fs.readFileSync(f,'utf8')));
const deref=(d,p)=>p.$ref?p.$ref.split('/').slice(1).reduce((o,k)=>o[k],d):p;
const q=d=>{const r={};for(const[p,v]of Object.entries(d.paths||{}))for(const[m,o]of Object.entries(v)){if(!o.parameters)continue;r[`${m} ${p}`]=[...(v.parameters||[]),...o.parameters].map(x=>deref(d,x)).map(x=>x.in+':'+x.name+(x.required?'*':'')).sort()}return r};
const qa=q(a),qb=q(b);for(const k of new Set([...Object.keys(qa),...Object.keys(qb)])){const x=qa[k]||[],y=qb[k]||[];const ma=x.filter(i=>!y.includes(i)),mb=y.filter(i=>!x.includes(i));if(ma.length||mb.length)console.log(k,'billie-only',ma,'grace-only',mb)}
const codes=d=>{const r={};for(const[k,s]of Object.entries(d.components.schemas))if(/Error.*Code|Code$/.test(k)&&s.enum)r[k]=s.enum.join(',');return r};console.log('billie codes',codes(a));console.log('grace codes',codes(b));
const st=d=>{const r={};for(const[k,s]of Object.entries(d.paths))for(const[m,o]of Object.entries(s))if(o.responses)r[m+' '+k]=Object.keys(o.responses).join(',');return r};const sa=st(a),sb=st(b);for(const k of Object.keys(sa))if(sa[k]!==sb[k])console.log('status',k,sa[k],'|',sb[k]);
